package staticpod

import (
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ProbePort names the container port every probe targets, so that a patch
// changing the port changes the probes with it.
const ProbePort = "probe-port"

// probePeriod is the startup and liveness probes' period; the startup
// probe's failure threshold is the health-check timeout counted in periods.
const probePeriod = 10 * time.Second

// Port is the container's probe port.
func Port(port int32) corev1.ContainerPort {
	return corev1.ContainerPort{Name: ProbePort, ContainerPort: port, Protocol: corev1.ProtocolTCP}
}

// Liveness restarts a component that stopped answering, after skipping one
// period so that a slow start is left to the startup probe.
func Liveness(host, path string, scheme corev1.URIScheme) *corev1.Probe {
	return httpProbe(host, path, scheme, 10, 8, 10)
}

// Readiness reports readiness every second without delay, so that whoever
// waits for the control plane sees it as soon as it is ready.
func Readiness(host, path string, scheme corev1.URIScheme) *corev1.Probe {
	return httpProbe(host, path, scheme, 0, 3, 1)
}

// Startup gives the component the whole control-plane health-check timeout
// to come up before the liveness probe may restart it.
func Startup(host, path string, scheme corev1.URIScheme, timeout time.Duration) *corev1.Probe {
	failures := int32(math.Ceil(timeout.Seconds() / probePeriod.Seconds()))
	period := int32(probePeriod.Seconds())
	return httpProbe(host, path, scheme, period, failures, period)
}

func httpProbe(host, path string, scheme corev1.URIScheme, initialDelay, failures, period int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{
			HTTPGet: &corev1.HTTPGetAction{Host: host, Path: path, Port: intstr.FromString(ProbePort), Scheme: scheme},
		},
		InitialDelaySeconds: initialDelay,
		TimeoutSeconds:      15,
		FailureThreshold:    failures,
		PeriodSeconds:       period,
	}
}

// ProbeHost is the host a probe dials for a component bound to addr. An
// unspecified address ("0.0.0.0", "::") cannot be dialled, so it becomes
// empty, which makes the kubelet probe the Pod's IP, the node's own.
func ProbeHost(addr string) string {
	if addr == "0.0.0.0" || addr == "::" {
		return ""
	}
	return addr
}
