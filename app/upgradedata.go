package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
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
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/patches"
	"github.com/kadm-project/kadm/node/rollout"
	"github.com/kadm-project/kadm/node/staticpod"
	upgradephases "github.com/kadm-project/kadm/phases/upgrade"
)

// upgradeDryRunDirEnv names the directory an upgrade dry run writes into, as kubeadm's.
const upgradeDryRunDirEnv = "KUBEADM_UPGRADE_DRYRUN_DIR"

// upgradeData is the Data of one `upgrade apply` or `upgrade node` run.
type upgradeData struct {
	cfg     *config.UpgradeConfiguration
	cluster *config.ClusterConfiguration
	node    upgradephases.Node

	dryRun, etcdUpgrade, renewCerts bool
	ignore                          []string
	patchesDir                      string
	patches                         patchSet

	kubernetesDir, manifestDir, kubeletDir, dryRunDir string

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
func (d *upgradeData) DryRunDir() string                     { return d.dryRunDir }
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

// upgradeDryRunDir is where a dry run of command writes: $KUBEADM_UPGRADE_DRYRUN_DIR, or
// a new directory of its own, 0700.
func upgradeDryRunDir(ctx context.Context, command string) (string, error) {
	if dir := os.Getenv(upgradeDryRunDirEnv); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("create the dry-run directory %s ($%s): %w", dir, upgradeDryRunDirEnv, err)
		}
		return dir, nil
	}
	dir, err := os.MkdirTemp("", "kadm-upgrade-"+command+"-dryrun-")
	if err != nil {
		return "", fmt.Errorf("could not create a temporary directory on dryrun: %w", err)
	}
	progress.Printf(ctx, "[dryrun] Using dry-run directory %s. To override it, set the environment variable %s\n", dir, upgradeDryRunDirEnv)
	return dir, nil
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
