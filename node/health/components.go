package health

import (
	"fmt"
	"net"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Component is one health endpoint to wait for.
type Component struct {
	Name string
	URL  string
}

// componentDefaults are where kubeadm's manifests make each component
// listen unless the Pod's command line says otherwise.
var componentDefaults = []struct {
	name, addressFlag, portFlag, defaultPort, path string
}{
	{"kube-apiserver", "advertise-address", "secure-port", "6443", "livez"},
	{"kube-controller-manager", "bind-address", "secure-port", "10257", "healthz"},
	{"kube-scheduler", "bind-address", "secure-port", "10259", "livez"},
}

// ControlPlaneComponents derives the health endpoints of the control-plane
// static Pods from their command lines, so extraArgs that move a component
// to another address or port are followed. apiServerAddress is used when
// the kube-apiserver Pod has no --advertise-address; the others default to
// 127.0.0.1 as kubeadm binds them.
func ControlPlaneComponents(pods map[string]*corev1.Pod, apiServerAddress string) ([]Component, error) {
	var comps []Component
	for _, d := range componentDefaults {
		pod, ok := pods[d.name]
		if !ok || len(pod.Spec.Containers) == 0 {
			return nil, fmt.Errorf("no static Pod manifest with a container for %s", d.name)
		}
		address, port := "127.0.0.1", d.defaultPort
		if d.name == "kube-apiserver" {
			address = apiServerAddress
		}
		c := pod.Spec.Containers[0]
		for _, arg := range append(append([]string{}, c.Command...), c.Args...) {
			if v, ok := flagValue(arg, d.addressFlag); ok && v != "" {
				address = v
			}
			if v, ok := flagValue(arg, d.portFlag); ok && v != "" {
				port = v
			}
		}
		comps = append(comps, Component{Name: d.name, URL: fmt.Sprintf("https://%s/%s", net.JoinHostPort(address, port), d.path)})
	}
	return comps, nil
}

// flagValue returns the value of --name=value in arg.
func flagValue(arg, name string) (string, bool) {
	return strings.CutPrefix(arg, "--"+name+"=")
}
