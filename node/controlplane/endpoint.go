package controlplane

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
)

// EndpointOf reads back from a kube-apiserver Pod where that API server listens: the
// advertise-address annotation kubeadm and kadm write, or else its --advertise-address
// and --secure-port flags. Upgrades rebuild a node's Pods for the endpoint it has.
func EndpointOf(pod *corev1.Pod) (config.APIEndpoint, error) {
	if ep, ok := pod.Annotations[AdvertiseAddressAnnotation]; ok {
		host, port, err := net.SplitHostPort(ep)
		if err == nil {
			if p, err := strconv.ParseInt(port, 10, 32); err == nil && net.ParseIP(host) != nil {
				return config.APIEndpoint{AdvertiseAddress: host, BindPort: int32(p)}, nil
			}
		}
	}
	e := config.APIEndpoint{BindPort: config.DefaultAPIBindPort}
	if len(pod.Spec.Containers) > 0 {
		for _, arg := range pod.Spec.Containers[0].Command {
			if v, ok := strings.CutPrefix(arg, "--advertise-address="); ok {
				e.AdvertiseAddress = v
			}
			if v, ok := strings.CutPrefix(arg, "--secure-port="); ok {
				if p, err := strconv.ParseInt(v, 10, 32); err == nil {
					e.BindPort = int32(p)
				}
			}
		}
	}
	if net.ParseIP(e.AdvertiseAddress) == nil {
		return config.APIEndpoint{}, fmt.Errorf("the %s Pod names no advertise address (annotation %s or --advertise-address)", pod.Name, AdvertiseAddressAnnotation)
	}
	return e, nil
}
