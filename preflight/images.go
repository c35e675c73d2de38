package preflight

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/cri"
	"github.com/kadm-project/kadm/node/machine"
)

// ImagePull makes sure the container runtime has the images a control-plane
// node runs, before the kubelet needs them: kubeadm's mutating check, which
// pulls as imagePullPolicy and imagePullSerial say. It also warns when the
// runtime runs Pods in another sandbox image than the configuration's.
type ImagePull struct {
	Socket       string
	Connect      connectCRI
	Images       []string
	SandboxImage string
	Policy       corev1.PullPolicy
	Serial       bool
}

func (ImagePull) Name() string { return "ImagePull" }

func (c ImagePull) Check(ctx context.Context) (warnings, errs []error) {
	rt, err := connect(ctx, c.Connect, c.Socket)
	if err != nil {
		return nil, []error{err}
	}
	defer rt.Close()
	switch sandbox, err := rt.SandboxImage(ctx); {
	case err != nil:
		klog.V(4).Infof("failed to detect the sandbox image for local container runtime, %v", err)
	case sandbox != c.SandboxImage:
		warnings = append(warnings, fmt.Errorf("detected that the sandbox image %q of the container runtime is inconsistent with that used by kubeadm. "+
			"It is recommended to use %q as the CRI sandbox image.", sandbox, c.SandboxImage))
	}
	return warnings, cri.EnsureImages(ctx, rt, c.Images, c.Policy, c.Serial)
}

// ImagePullChecks is the check that pulls the images of a control-plane node
// of cluster, with the node's pull settings.
func ImagePullChecks(nr *config.NodeRegistrationOptions, cluster *config.ClusterConfiguration, h machine.Host) []Check {
	serial := nr.ImagePullSerial == nil || *nr.ImagePullSerial
	return []Check{ImagePull{
		Socket:       config.CRISocketURL(nr.CRISocket),
		Connect:      h.CRI,
		Images:       config.Images(cluster),
		SandboxImage: config.PauseImage(cluster),
		Policy:       nr.ImagePullPolicy,
		Serial:       serial,
	}}
}
