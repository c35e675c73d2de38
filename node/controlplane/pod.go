package controlplane

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// Pod builds the named component's Pod, for callers that go through
// Components().
func Pod(component string, in Input) (*corev1.Pod, error) {
	switch component {
	case KubeAPIServer:
		return APIServer(in)
	case KubeControllerManager:
		return ControllerManager(in)
	case KubeScheduler:
		return Scheduler(in)
	}
	return nil, fmt.Errorf("%q is not a control-plane component: expected one of %v", component, Components())
}
