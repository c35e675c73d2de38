package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/etcdcluster"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/controlplane"
	"github.com/kadm-project/kadm/node/dryrun"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/patches"
	"github.com/kadm-project/kadm/node/rollout"
	"github.com/kadm-project/kadm/node/staticpod"
	upgradephases "github.com/kadm-project/kadm/phases/upgrade"
)

// upgradeData is the Data of one `upgrade apply` or `upgrade node` run.
type upgradeData struct {
	cfg     *config.UpgradeConfiguration
	cluster *config.ClusterConfiguration
	node    upgradephases.Node

	dryRun, etcdUpgrade, renewCerts bool
	ignore                          []string
	patchesDir                      string
	patches                         patchSet

	kubernetesDir, manifestDir, kubeletDir string
	// dryRunDir is --dry-run's directory, removed by Close.
	dryRunDir *dryrun.Dir

	client  kube.Interface
	host    machine.Host
	program string
	// connect makes the etcd client; tests replace it.
	connect func(ctx context.Context, client kube.Interface, certDir string) (upgradephases.EtcdCluster, error)
}

var _ upgradephases.Data = (*upgradeData)(nil)

func (d *upgradeData) Cfg() *config.UpgradeConfiguration     { return d.cfg }
func (d *upgradeData) Cluster() *config.ClusterConfiguration { return d.cluster }
func (d *upgradeData) Node() upgradephases.Node              { return d.node }
func (d *upgradeData) DryRun() bool                          { return d.dryRun }
func (d *upgradeData) EtcdUpgrade() bool                     { return d.etcdUpgrade }
func (d *upgradeData) RenewCerts() bool                      { return d.renewCerts }
func (d *upgradeData) IgnorePreflightErrors() []string       { return d.ignore }
func (d *upgradeData) KubernetesDir() string                 { return d.kubernetesDir }
func (d *upgradeData) ManifestDir() string                   { return d.manifestDir }
func (d *upgradeData) KubeletDir() string                    { return d.kubeletDir }
func (d *upgradeData) Close() error                          { return d.dryRunDir.Close() }
func (d *upgradeData) Host() machine.Host                    { return d.host }
func (d *upgradeData) Program() string                       { return d.program }
func (d *upgradeData) KadmVersion() string                   { return gitVersion }
func (d *upgradeData) Client(context.Context) (kube.Interface, error) {
	return d.client, nil
}
func (d *upgradeData) Patches(ctx context.Context) (*patches.Set, error) {
	return d.patches.get(ctx, d.patchesDir)
}
func (d *upgradeData) Etcd(ctx context.Context) (upgradephases.EtcdCluster, error) {
	cctx, cancel := context.WithTimeout(ctx, d.cfg.Timeouts.KubernetesAPICall.Duration)
	defer cancel()
	return d.connect(cctx, d.client, d.cluster.CertificatesDir)
}

func (d *upgradeData) Waiter(context.Context) (rollout.Waiter, error) {
	return upgradephases.NewPodWaiter(d.client, d.node.Name, d.node.Endpoint.AdvertiseAddress), nil
}

func connectUpgradeEtcd(ctx context.Context, client kube.Interface, certDir string) (upgradephases.EtcdCluster, error) {
	return etcdcluster.Connect(ctx, client, certDir)
}

// loadUpgradeConfig reads --config's UpgradeConfiguration, or starts from an empty one.
// Defaults are applied by the caller, after the flags.
func loadUpgradeConfig(path, command string) (*config.UpgradeConfiguration, error) {
	if path == "" {
		return &config.UpgradeConfiguration{}, nil
	}
	docs, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if docs.Upgrade == nil {
		return nil, usagef("--config %s: no UpgradeConfiguration in the file (%s needs kind %s, apiVersion %s)",
			path, command, config.KindUpgradeConfiguration, config.V1Beta4)
	}
	return docs.Upgrade, nil
}

// readUpgradeCluster reads the cluster's ClusterConfiguration for an upgrade, saying so in
// kubeadm's words; a missing kubeadm-config says how to upload it.
func readUpgradeCluster(ctx context.Context, client kube.Interface, p objects.Policy, program, prefix string) (*config.ClusterConfiguration, error) {
	progress.Printf(ctx, "[%s] Reading configuration from the %q ConfigMap in namespace %q...\n", prefix, clusterconfig.KubeadmConfigMap, "kube-system")
	progress.Printf(ctx, "[%s] Use '%s init phase upload-config kubeadm --config your-config-file' to re-upload it.\n", prefix, program)
	cluster, err := clusterconfig.ReadCluster(ctx, client, p, program)
	if err != nil {
		return nil, fmt.Errorf("[upgrade] FATAL: %w", err)
	}
	return cluster, nil
}

// localNode is this machine as the upgrade sees it, from its own files: whether it runs a
// control plane (its kube-apiserver manifest), its API endpoint (read from that
// manifest), its Node name (from the kubelet's credentials) and its container runtime
// (from the kubelet's instance configuration, else the one found on the host).
func localNode(kubernetesDir, manifestDir, kubeletDir string) (upgradephases.Node, error) {
	var n upgradephases.Node
	if pod, err := staticpod.Read(staticpod.Path(manifestDir, controlplane.KubeAPIServer)); err == nil {
		n.ControlPlane = true
		if n.Endpoint, err = controlplane.EndpointOf(pod); err != nil {
			return n, err
		}
	}
	name, err := kubelet.NodeNameFromKubeconfig(filepath.Join(kubernetesDir, kubeconfig.KubeletFile))
	if err != nil {
		if n.Name, err = kubelet.Hostname(); err != nil {
			return n, fmt.Errorf("find this node's name: %w", err)
		}
	} else {
		n.Name = name
	}
	socket, err := kubelet.InstanceCRISocket(kubeletDir)
	if err != nil {
		return n, err
	}
	if socket == "" {
		socket, err = config.DetectCRISocket(exists)
		if errors.Is(err, config.ErrNoCRISocket) {
			socket, err = config.DefaultCRISocket, nil
		}
		if err != nil {
			return n, usagef("%v", err)
		}
	}
	n.CRISocket = config.CRISocketURL(socket)
	return n, nil
}

// DryRunDir is where a dry run writes, empty on a real run.
func (d *upgradeData) DryRunDir() string {
	if d.dryRunDir == nil {
		return ""
	}
	return d.dryRunDir.Root
}

// openDryRunDir opens the directory a dry run writes into, in
// kubernetesDir's tmp directory as kubeadm's, or $KUBEADM_UPGRADE_DRYRUN_DIR.
func (d *upgradeData) openDryRunDir(ctx context.Context, prefix string) error {
	if !d.dryRun {
		return nil
	}
	dir, err := dryrun.Open(ctx, config.EnvUpgradeDryRunDir, filepath.Join(d.kubernetesDir, config.TmpDirName), prefix)
	if err != nil {
		return err
	}
	d.dryRunDir = dir
	return nil
}

// printClusterConfig is --print-config: the ClusterConfiguration the upgrade uses, each
// line tabbed, as kubeadm prints it.
func printClusterConfig(ctx context.Context, cluster *config.ClusterConfiguration) error {
	b, err := config.Marshal(&config.Documents{Cluster: cluster})
	if err != nil {
		return err
	}
	progress.Printf(ctx, "[upgrade/config] Configuration used:\n")
	sc := bufio.NewScanner(bytes.NewReader(b))
	var out strings.Builder
	for sc.Scan() {
		out.WriteString("\t" + sc.Text() + "\n")
	}
	progress.Printf(ctx, "%s", out.String())
	return nil
}

func ptrTo[T any](v T) *T { return &v }
