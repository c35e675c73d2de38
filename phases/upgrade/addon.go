package upgradephases

import (
	"context"
	"fmt"
	"os"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/cluster/addons"
	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/upgradeplan"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

var addonFlags = []string{options.Config, options.Kubeconfig, options.DryRun, options.Patches}

func addonPhase[D Data]() workflow.Phase[D] {
	return workflow.Phase[D]{
		Name:     "addon",
		Short:    "Upgrade the default kubeadm addons",
		WithAll:  true,
		AllShort: "Upgrade all the addons",
		Phases: []workflow.Phase[D]{
			{
				Name:         "coredns",
				Short:        "Upgrade the CoreDNS addon",
				Run:          func(ctx context.Context, d D) error { return runCoreDNS(ctx, d) },
				InheritFlags: addonFlags,
			},
			{
				Name:         "kube-proxy",
				Short:        "Upgrade the kube-proxy addon",
				Run:          func(ctx context.Context, d D) error { return runKubeProxy(ctx, d) },
				InheritFlags: addonFlags,
			},
		},
	}
}

// addonsDue tells whether the addons may move to the new version now: on a control-plane
// node, once every control plane runs the new API server, which a new kube-proxy or
// CoreDNS may need. skip names the phase for the messages.
func addonsDue(ctx context.Context, d Data, skip string, disabled bool) (bool, error) {
	prefix := fmt.Sprintf("[upgrade/addon] Skipping the addon/%s phase.", skip)
	if !d.Node().ControlPlane {
		progress.Printf(ctx, "%s Not a control plane node.\n", prefix)
		return false, nil
	}
	if disabled {
		progress.Printf(ctx, "%s The addon is disabled.\n", prefix)
		return false, nil
	}
	if d.DryRun() {
		return true, nil
	}
	client, err := d.Client(ctx)
	if err != nil {
		return false, err
	}
	behind, err := upgradeplan.UnupgradedControlPlanes(ctx, client, apiPolicy(d), d.Node().Name)
	if err != nil {
		return false, fmt.Errorf("failed to determine whether all the control plane instances have been upgraded: %w", err)
	}
	if len(behind) > 0 {
		progress.Printf(ctx, "[upgrade/addon] Skipping upgrade of addons because control plane instances %v have not been upgraded\n", behind)
		return false, nil
	}
	return true, nil
}

func runCoreDNS(ctx context.Context, d Data) error {
	cluster := d.Cluster()
	if due, err := addonsDue(ctx, d, "coredns", cluster.DNS.Disabled); !due || err != nil {
		return err
	}
	set, err := d.Patches(ctx)
	if err != nil {
		return err
	}
	a, err := addons.CoreDNS(cluster, phases.Patcher(ctx, set))
	if err != nil {
		return err
	}
	return apply(ctx, d, a)
}

// runKubeProxy upgrades kube-proxy with the configuration the cluster has: a user's
// KubeProxyConfiguration is kept, one kadm or kubeadm generated is generated again.
func runKubeProxy(ctx context.Context, d Data) error {
	cluster := d.Cluster()
	if due, err := addonsDue(ctx, d, "kube-proxy", cluster.Proxy.Disabled); !due || err != nil {
		return err
	}
	set, err := d.Patches(ctx)
	if err != nil {
		return err
	}
	in := addons.KubeProxyInput{Cluster: cluster, LocalAPIEndpoint: d.Node().Endpoint, Environ: os.Environ()}
	if in.Config, err = userKubeProxyConfig(ctx, d); err != nil {
		return err
	}
	a, err := addons.KubeProxy(in, phases.Patcher(ctx, set))
	if err != nil {
		return err
	}
	return apply(ctx, d, a)
}

// userKubeProxyConfig is the KubeProxyConfiguration of the cluster's kube-proxy ConfigMap
// when a user supplied it; nil when kadm or kubeadm generated it, or there is none.
func userKubeProxyConfig(ctx context.Context, d Data) ([]byte, error) {
	client, err := d.Client(ctx)
	if err != nil {
		return nil, err
	}
	cm, err := client.CoreV1().ConfigMaps(addons.Namespace).Get(ctx, addons.KubeProxyConfigMap, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the %s/%s ConfigMap: %w", addons.Namespace, addons.KubeProxyConfigMap, err)
	}
	if clusterconfig.Generated(cm) {
		return nil, nil
	}
	return []byte(cm.Data[addons.KubeProxyConfigKey]), nil
}

func apply(ctx context.Context, d Data, a *addons.Addon) error {
	if d.DryRun() {
		b, err := a.DryRunReport()
		if err != nil {
			return err
		}
		progress.Printf(ctx, "%s", b)
	} else {
		w, err := writer(ctx, d)
		if err != nil {
			return err
		}
		if err := a.Apply(ctx, w); err != nil {
			return err
		}
	}
	progress.Printf(ctx, "[addons] Applied essential addon: %s\n", a.Name)
	return nil
}
