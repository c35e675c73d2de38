package health

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kadm-project/kadm/internal/backoff"
)

// FromProbe is the health endpoint the kubelet probes for pod's first container: its
// readiness probe, else its startup probe, else its liveness probe, when it is an HTTP
// one. A probe without a host reaches the Pod's IP, which for the host-network Pods of
// the control plane is nodeAddress. ok is false when the Pod has no HTTP probe.
func FromProbe(pod *corev1.Pod, nodeAddress string) (c Component, ok bool) {
	if len(pod.Spec.Containers) == 0 {
		return Component{}, false
	}
	ctr := pod.Spec.Containers[0]
	for _, p := range []*corev1.Probe{ctr.ReadinessProbe, ctr.StartupProbe, ctr.LivenessProbe} {
		if p == nil || p.HTTPGet == nil {
			continue
		}
		get := p.HTTPGet
		port, ok := probePort(ctr, get.Port)
		if !ok {
			continue
		}
		host := get.Host
		if host == "" {
			host = nodeAddress
		}
		scheme := strings.ToLower(string(get.Scheme))
		if scheme == "" {
			scheme = "http"
		}
		u := url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(port)), Path: get.Path}
		return Component{Name: pod.Name, URL: u.String()}, true
	}
	return Component{}, false
}

func probePort(ctr corev1.Container, port intstr.IntOrString) (int, bool) {
	if port.Type == intstr.Int {
		return port.IntValue(), port.IntValue() > 0
	}
	for _, p := range ctr.Ports {
		if p.Name == port.StrVal {
			return int(p.ContainerPort), true
		}
	}
	return 0, false
}

// WaitHealthy polls c until it answers 200 OK or ctx ends; the error then has the last
// failure.
func WaitHealthy(ctx context.Context, c Component) error {
	if err := poll(ctx, probeClient(), c.URL); err != nil {
		return fmt.Errorf("%s at %s: %w", c.Name, c.URL, err)
	}
	return nil
}

// WaitDown polls c until it stops answering 200 OK (its process stopped) or ctx ends.
func WaitDown(ctx context.Context, c Component) error {
	client := probeClient()
	b := backoff.New(50*time.Millisecond, time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil && ctx.Err() == nil {
			return nil
		}
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return nil
			}
		}
		if b.Wait(ctx) != nil {
			return fmt.Errorf("%s at %s still answers: %w", c.Name, c.URL, context.Cause(ctx))
		}
	}
}
