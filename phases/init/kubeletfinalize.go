package initphases

import (
	"context"
	"os"
	"path/filepath"

	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func kubeletFinalizePhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:    "kubelet-finalize",
		Short:   "Updates settings relevant to the kubelet after TLS bootstrap",
		Example: "  # Updates settings relevant to the kubelet after TLS bootstrap\"\n  kubeadm init phase kubelet-finalize all --config",
		WithAll: true,
		Phases: []workflow.Phase[Data]{{
			Name:  "enable-client-cert-rotation",
			Short: "Enable kubelet client certificate rotation",
			Run: func(ctx context.Context, d Data) error {
				return runEnableClientCertRotation(ctx, d, d.Host())
			},
			InheritFlags: []string{options.Config, options.CertificatesDir, options.DryRun},
		}},
	}
}

// runEnableClientCertRotation points kubelet.conf at the certificate the
// kubelet rotates, once the kubelet has one; kubelet.conf as the kubeconfig
// phase wrote it embeds a certificate that would expire in a year.
func runEnableClientCertRotation(ctx context.Context, d Data, h machine.Host) error {
	pem := kubelet.ClientCertPath(d.KubeletDir(), d.Cfg().NodeRegistration.KubeletExtraArgs)
	if _, err := os.Stat(pem); err != nil {
		klog.V(1).Infof("[kubelet-finalize] Assuming that kubelet client certificate rotation is disabled: %v", err)
		return nil
	}
	klog.V(1).Infof("[kubelet-finalize] Assuming that kubelet client certificate rotation is enabled: found %q", pem)
	path := filepath.Join(d.KubeConfigDir(), kubeconfig.KubeletFile)
	progress.Printf(ctx, "[kubelet-finalize] Updating %q to point to a rotatable kubelet client certificate and key\n", path)
	if d.DryRun() {
		return nil
	}
	changed, err := kubelet.UseRotatingClientCert(path, pem)
	if err != nil || !changed {
		return err
	}
	klog.V(1).Info("[kubelet-finalize] Restarting the kubelet to enable client certificate rotation")
	sys, sysErr := h.InitSystem()
	phases.RestartKubelet(ctx, "kubelet-finalize", d.KubeletDir(), sys, sysErr)
	return nil
}
