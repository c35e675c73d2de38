package app

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/discovery"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/dryrun"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/patches"
	joinphases "github.com/kadm-project/kadm/phases/join"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/pkiutil"
)

// joinData is the JoinData of one kadm join run. What needs the cluster is
// computed on first use and kept, so each phase run alone (`join phase
// kubelet-start`) discovers once, and a full run discovers once in all.
type joinData struct {
	cfg                       *config.JoinConfiguration
	program                   string
	kubeconfigDir, kubeletDir string
	manifestDir               string
	keys                      *pkiutil.KeyPool
	patches                   patchSet
	// discover is discovery.Discover; tests replace it.
	discover func(ctx context.Context, cfg *config.JoinConfiguration, o discovery.Options) (*clientcmdapi.Config, error)

	tlsOnce sync.Once
	tlsCfg  *clientcmdapi.Config
	tlsErr  error
	client  lazyClient
	// clientFor builds the bootstrap client; tests replace it.
	clientFor func(*clientcmdapi.Config) (kube.Interface, error)
	admin     lazyClient
	initOnce  sync.Once
	initCfg   *joinphases.ClusterState
	initErr   error
	host      machine.Host
	// dryRun is --dry-run's directory, removed by Close.
	dryRun *dryrun.Dir
}

var _ joinphases.Data = (*joinData)(nil)

func (d *joinData) Cfg() *config.JoinConfiguration { return d.cfg }
func (d *joinData) DryRun() bool                   { return d.cfg.DryRun }
func (d *joinData) DryRunPath(p string) string     { return d.dryRun.Path(p) }

// Close removes the dry run's directory, if the run made one.
func (d *joinData) Close() error { return d.dryRun.Close() }
func (d *joinData) IgnorePreflightErrors() []string {
	return d.cfg.NodeRegistration.IgnorePreflightErrors
}
func (d *joinData) PatchesDir() string {
	if d.cfg.Patches == nil {
		return ""
	}
	return d.cfg.Patches.Directory
}
func (d *joinData) Patches(ctx context.Context) (*patches.Set, error) {
	return d.patches.get(ctx, d.PatchesDir())
}
func (d *joinData) KubeConfigDir() string  { return d.kubeconfigDir }
func (d *joinData) KubeletDir() string     { return d.kubeletDir }
func (d *joinData) Program() string        { return d.program }
func (d *joinData) ManifestDir() string    { return d.manifestDir }
func (d *joinData) Keys() *pkiutil.KeyPool { return d.keys }
func (d *joinData) Host() machine.Host     { return d.host }

// Client is admin.conf's client. admin.conf is control-plane-prepare's
// work, so a phase that needs it and runs before it (alone, or with that
// phase skipped) gets an error that names the phase.
func (d *joinData) Client(context.Context) (kube.Interface, error) {
	return d.admin.get(func() (kube.Interface, error) {
		path := filepath.Join(d.kubeconfigDir, kubeconfig.AdminFile)
		if !exists(path) {
			return nil, fmt.Errorf("%s does not exist: run '%s join phase control-plane-prepare kubeconfig' first", path, d.program)
		}
		return kube.NewFromFile(path, "", d.cfg.Timeouts.KubernetesAPICall.Duration)
	})
}

// TLSBootstrapCfg runs discovery once. A control-plane join whose admin.conf
// already exists (its phases run one by one) uses that instead, as kubeadm
// does: the node is trusted already.
func (d *joinData) TLSBootstrapCfg(ctx context.Context) (*clientcmdapi.Config, error) {
	d.tlsOnce.Do(func() {
		admin := filepath.Join(d.kubeconfigDir, kubeconfig.AdminFile)
		if d.cfg.ControlPlane != nil && exists(admin) {
			klog.V(1).Infof("[preflight] found %s: using it instead of discovery", admin)
			d.tlsCfg, d.tlsErr = kubeconfig.Load(admin)
			return
		}
		if d.cfg.Discovery.BootstrapToken == nil && d.cfg.Discovery.File == nil {
			d.tlsErr = fmt.Errorf("this command has no discovery: a control-plane node's phase reads the cluster with %s, which does not exist; "+
				"run '%s join phase control-plane-prepare kubeconfig' first, or give --%s with a JoinConfiguration that configures discovery", admin, d.program, options.Config)
			return
		}
		d.tlsCfg, d.tlsErr = d.discover(ctx, d.cfg, discovery.Options{
			Program: d.program,
		})
	})
	return d.tlsCfg, d.tlsErr
}

// BootstrapClient acts with discovery's credentials: the TLS bootstrap token,
// or those of a discovery file.
func (d *joinData) BootstrapClient(ctx context.Context) (kube.Interface, error) {
	return d.client.get(func() (kube.Interface, error) {
		cfg, err := d.TLSBootstrapCfg(ctx)
		if err != nil {
			return nil, err
		}
		return d.clientFor(cfg)
	})
}

// InitCfg reads the cluster's configuration once, as the bootstrap token.
func (d *joinData) InitCfg(ctx context.Context) (*joinphases.ClusterState, error) {
	d.initOnce.Do(func() {
		client, err := d.BootstrapClient(ctx)
		if err != nil {
			d.initErr = err
			return
		}
		d.initCfg, d.initErr = joinphases.FetchClusterState(ctx, client, d.cfg, d.program)
	})
	return d.initCfg, d.initErr
}

// Clientset acts with the credentials of cfg.
func (d *joinData) Clientset(cfg *clientcmdapi.Config) (kube.Interface, error) {
	return d.clientFor(cfg)
}

// bootstrapClient is the client of a kubeconfig held in memory, such as
// discovery's, whose answers are awaited up to timeout each.
func bootstrapClient(timeout time.Duration) func(*clientcmdapi.Config) (kube.Interface, error) {
	return func(cfg *clientcmdapi.Config) (kube.Interface, error) {
		client, err := kube.New(cfg, timeout)
		if err != nil {
			return nil, fmt.Errorf("the bootstrap kubeconfig from discovery is unusable: %w", err)
		}
		return client, nil
	}
}
