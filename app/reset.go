package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/etcdcluster"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/cleanup"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases/options"
	resetphases "github.com/kadm-project/kadm/phases/reset"
	"github.com/kadm-project/kadm/phases/workflow"
)

// resetOptions holds the reset flags. Flags that have a configuration field
// are applied on top of --config by newResetData.
type resetOptions struct {
	cfgPath               string
	certDir               string
	criSocket             string
	dryRun                bool
	force                 bool
	cleanupTmpDir         bool
	ignorePreflightErrors []string
	kubeconfig            string
}

func newResetOptions() *resetOptions {
	return &resetOptions{
		certDir:    config.DefaultCertificatesDir,
		kubeconfig: config.DefaultAdminConf,
	}
}

// newResetCmd makes `reset`; opts is exposed so tests can parse flags and
// build the reset data without running anything.
func newResetCmd(s IOStreams, opts *resetOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Performs a best effort revert of changes made to this host by 'kubeadm init' or 'kubeadm join'",
		Args:  cobra.NoArgs,
	}
	f := cmd.Flags()
	f.StringVar(&opts.certDir, options.CertificatesDir, opts.certDir,
		"The path to the directory where the certificates are stored. If specified, clean this directory.")
	f.BoolVar(&opts.cleanupTmpDir, options.CleanupTmpDir, false,
		fmt.Sprintf("Cleanup the %q directory", filepath.Join(config.DefaultKubernetesDir, "tmp")))
	f.StringVar(&opts.cfgPath, options.Config, "", options.HelpConfig)
	f.StringVar(&opts.criSocket, options.CRISocket, "", options.HelpCRISocket)
	f.BoolVar(&opts.dryRun, options.DryRun, false, options.HelpDryRun)
	f.BoolVarP(&opts.force, options.Force, "f", false, "Reset the node without prompting for confirmation.")
	f.StringSliceVar(&opts.ignorePreflightErrors, options.IgnorePreflightErrors, nil, options.HelpIgnorePreflightErrors)
	f.StringVar(&opts.kubeconfig, options.Kubeconfig, opts.kubeconfig, options.HelpKubeconfig)

	wf := &workflow.Command[resetphases.Data]{
		Workflow: &workflow.Workflow[resetphases.Data]{Phases: resetphases.Phases()},
		NewData: func(ctx context.Context, cmd *cobra.Command, _ []string) (resetphases.Data, error) {
			return newResetData(ctx, cmd, opts, s.In)
		},
		// Every Data this command sees comes from NewData, so it is a *resetData.
		ConfigSkipPhases: func(d resetphases.Data) []string { return d.(*resetData).cfg.SkipPhases },
		Done:             resetphases.Done,
		Out:              s.Out,
	}
	wf.Bind(cmd)
	return cmd
}

// newResetData builds the ResetConfiguration from --config and the flags,
// defaults and validates it. The certificates directory, from --cert-dir or
// the file, names a directory reset will empty, so a value kadm does not own
// is refused before anything runs.
func newResetData(ctx context.Context, cmd *cobra.Command, o *resetOptions, in io.Reader) (*resetData, error) {
	cfg := &config.ResetConfiguration{}
	ov := &overrides{flags: cmd.Flags()}
	if o.cfgPath != "" {
		docs, err := loadConfig(cmd.Root().Name(), o.cfgPath)
		if err != nil {
			return nil, err
		}
		if docs.Reset == nil {
			return nil, usagef("--%s %s: no ResetConfiguration in the file (%s reset needs kind %s, apiVersion %s)",
				options.Config, o.cfgPath, cmd.Root().Name(), config.KindResetConfiguration, config.V1Beta4)
		}
		cfg, ov.source = docs.Reset, o.cfgPath
	}
	var certDirSource string
	if cfg.CertificatesDir != "" {
		certDirSource = "certificatesDir of " + o.cfgPath
	}
	applyResetFlags(cfg, ov, o)
	ov.report(ctx)
	if ov.flags.Changed(options.CertificatesDir) {
		certDirSource = "--" + options.CertificatesDir
	}
	if certDirSource != "" {
		if err := cleanup.Check(cfg.CertificatesDir, config.DefaultKubernetesDir); err != nil {
			return nil, usagef("%s: %v: reset empties this directory, so it must be inside %s", certDirSource, err, config.DefaultKubernetesDir)
		}
	}

	config.SetResetDefaults(cfg)
	if err := config.ValidateReset(cfg); err != nil {
		return nil, ov.nameFlags(err)
	}
	ignore, err := ignoreList(cfg.IgnorePreflightErrors, o.ignorePreflightErrors)
	if err != nil {
		return nil, err
	}
	socket, err := resetCRISocket(cfg.CRISocket)
	if err != nil {
		return nil, err
	}
	host := machine.Real()
	if len(cfg.UnmountFlags) > 0 {
		host.Unmount = unmountWith(unmountFlags(cfg.UnmountFlags))
	}
	return &resetData{
		cfg: cfg, kubeconfig: o.kubeconfig, certDirSource: certDirSource, ignore: ignore,
		in: in, program: cmd.Root().Name(), criSocket: socket,
		kubernetesDir: config.DefaultKubernetesDir, manifestDir: config.DefaultManifestsDir,
		kubeletDir: config.DefaultKubeletDir, varLibDir: config.DefaultVarLibDir,
		host: host, clientFrom: clientFromKubeconfig, fetch: clusterconfig.ReadCluster, connect: connectEtcd,
	}, nil
}

// applyResetFlags puts the explicitly set flags into cfg.
func applyResetFlags(cfg *config.ResetConfiguration, ov *overrides, o *resetOptions) {
	setField(ov, options.CertificatesDir, "certificatesDir", &cfg.CertificatesDir, o.certDir)
	setField(ov, options.CleanupTmpDir, "cleanupTmpDir", &cfg.CleanupTmpDir, o.cleanupTmpDir)
	setField(ov, options.CRISocket, "criSocket", &cfg.CRISocket, o.criSocket)
	setField(ov, options.DryRun, "dryRun", &cfg.DryRun, o.dryRun)
	setField(ov, options.Force, "force", &cfg.Force, o.force)
}

// ignoreList merges the file's ignorePreflightErrors with
// --ignore-preflight-errors, lowercased, as the other commands keep them.
func ignoreList(file, flag []string) ([]string, error) {
	nr := &config.NodeRegistrationOptions{IgnorePreflightErrors: file}
	if err := mergeIgnores(nr, flag); err != nil {
		return nil, err
	}
	return nr.IgnorePreflightErrors, nil
}

// unmountFlagBits maps the names unmountFlags may hold to umount2(2) flags.
var unmountFlagBits = map[string]int{
	config.UnmountFlagForce:    unix.MNT_FORCE,
	config.UnmountFlagDetach:   unix.MNT_DETACH,
	config.UnmountFlagExpire:   unix.MNT_EXPIRE,
	config.UnmountFlagNoFollow: unix.UMOUNT_NOFOLLOW,
}

// unmountFlags combines validated unmountFlags names into umount2(2) flags.
func unmountFlags(names []string) int {
	flags := 0
	for _, n := range names {
		flags |= unmountFlagBits[n]
	}
	return flags
}

// unmountWith unmounts one mount point with umount2(2) and flags.
func unmountWith(flags int) func(path string) error {
	return func(path string) error { return unix.Unmount(path, flags) }
}

// resetCRISocket is the configured socket (--cri-socket or criSocket), or
// the one runtime socket on the host; empty when there is none, since reset
// then has no containers to remove.
func resetCRISocket(configured string) (string, error) {
	if configured != "" {
		return config.CRISocketURL(configured), nil
	}
	socket, err := config.DetectCRISocket(exists)
	switch {
	case errors.Is(err, config.ErrNoCRISocket):
		return "", nil
	case err != nil:
		return "", usagef("%v", err)
	}
	return socket, nil
}

// resetData is the Data of one kadm reset run.
type resetData struct {
	// cfg is the file's configuration with the flags applied, defaulted.
	cfg        *config.ResetConfiguration
	kubeconfig string
	// certDirSource names where cfg.CertificatesDir was set: --cert-dir or
	// the file; empty when neither set it.
	certDirSource string
	ignore        []string
	in            io.Reader
	program       string
	criSocket     string

	kubernetesDir, manifestDir, kubeletDir, varLibDir string
	host                                              machine.Host

	// fetch reads the cluster's configuration; tests replace it.
	fetch func(ctx context.Context, client kube.Interface, p objects.Policy, program string) (*config.ClusterConfiguration, error)
	// connect makes the etcd client; tests replace it.
	connect func(ctx context.Context, client kube.Interface, certDir string) (resetphases.EtcdCluster, error)

	// clientFrom builds --kubeconfig's client; tests replace it.
	clientFrom func(path string) (kube.Interface, error)

	client      lazyClient
	clusterOnce sync.Once
	cluster     *config.ClusterConfiguration
}

var _ resetphases.Data = (*resetData)(nil)

func (d *resetData) DryRun() bool                    { return d.cfg.DryRun }
func (d *resetData) Force() bool                     { return d.cfg.Force }
func (d *resetData) CleanupTmpDir() bool             { return d.cfg.CleanupTmpDir }
func (d *resetData) IgnorePreflightErrors() []string { return d.ignore }
func (d *resetData) In() io.Reader                   { return d.in }
func (d *resetData) Program() string                 { return d.program }
func (d *resetData) KubernetesDir() string           { return d.kubernetesDir }
func (d *resetData) ManifestDir() string             { return d.manifestDir }
func (d *resetData) KubeletDir() string              { return d.kubeletDir }
func (d *resetData) EtcdParentDir() string           { return d.varLibDir }
func (d *resetData) CRISocket() string               { return d.criSocket }
func (d *resetData) Host() machine.Host              { return d.host }

// CertificatesDir: --cert-dir when set, else the file's certificatesDir,
// else the cluster's, else the default.
func (d *resetData) CertificatesDir(ctx context.Context) (dir, source string) {
	if d.certDirSource != "" {
		return d.cfg.CertificatesDir, d.certDirSource
	}
	if c := d.Cluster(ctx); c != nil && c.CertificatesDir != "" {
		return c.CertificatesDir, "certificatesDir of the cluster's configuration"
	}
	return config.DefaultCertificatesDir, "the default certificates directory"
}

// apiClient is --kubeconfig's client.
func (d *resetData) apiClient() (kube.Interface, error) {
	return d.client.get(func() (kube.Interface, error) {
		if !exists(d.kubeconfig) {
			return nil, fmt.Errorf("%s does not exist (this node has no cluster access, as on a worker)", d.kubeconfig)
		}
		return d.clientFrom(d.kubeconfig)
	})
}

// Cluster reads kube-system/kubeadm-config once; without it reset uses
// defaults and says so.
func (d *resetData) Cluster(ctx context.Context) *config.ClusterConfiguration {
	d.clusterOnce.Do(func() {
		client, err := d.apiClient()
		if err == nil {
			// A node being reset is often one whose cluster is broken:
			// reset goes on without the cluster after kubernetesAPICall.
			d.cluster, err = d.fetch(ctx, client, objects.Policy{Timeout: d.cfg.Timeouts.KubernetesAPICall.Duration}, d.program)
		}
		if err != nil {
			progress.Printf(ctx, "[reset] WARNING: Unable to read the cluster's configuration, using defaults: %v\n", err)
		}
	})
	return d.cluster
}

func (d *resetData) Etcd(ctx context.Context, certDir string) (resetphases.EtcdCluster, error) {
	client, err := d.apiClient()
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, d.cfg.Timeouts.KubernetesAPICall.Duration)
	defer cancel()
	return d.connect(cctx, client, certDir)
}

func (d *resetData) Timeouts() *config.Timeouts { return d.cfg.Timeouts }

// connectEtcd finds the stacked etcd members through the API server.
func connectEtcd(ctx context.Context, client kube.Interface, certDir string) (resetphases.EtcdCluster, error) {
	return etcdcluster.Connect(ctx, client, certDir)
}
