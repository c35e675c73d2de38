package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/dryrun"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/patches"
	initphases "github.com/kadm-project/kadm/phases/init"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
	"github.com/kadm-project/kadm/pkiutil"
)

// initOptions holds the init flags. Flags that have a configuration field
// are applied on top of --config by newInitData.
type initOptions struct {
	cfgPath                 string
	ignorePreflightErrors   []string
	dryRun                  bool
	uploadCerts             bool
	skipTokenPrint          bool
	skipCertificateKeyPrint bool
	patchesDir              string
	kubeconfigDir           string
	kubeconfigPath          string
	printManifest           bool
	// program is the name kadm was invoked as.
	program string

	advertiseAddress     string
	bindPort             int32
	nodeName             string
	certificateKey       string
	criSocket            string
	serviceSubnet        string
	podSubnet            string
	dnsDomain            string
	controlPlaneEndpoint string
	kubernetesVersion    string
	certificatesDir      string
	certSANs             []string
	featureGates         string
	imageRepository      string
	token                string
	tokenTTL             time.Duration
	apiServerExtraArgs   map[string]string
	cmExtraArgs          map[string]string
	schedulerExtraArgs   map[string]string
}

func newInitOptions(program string) *initOptions {
	return &initOptions{
		program:         program,
		bindPort:        config.DefaultAPIBindPort,
		serviceSubnet:   config.DefaultServiceSubnet,
		dnsDomain:       config.DefaultDNSDomain,
		certificatesDir: config.DefaultCertificatesDir,
		tokenTTL:        24 * time.Hour,
		kubeconfigDir:   config.DefaultKubernetesDir,
		kubeconfigPath:  config.DefaultAdminConf,
	}
}

// newInitCmd makes `init`; o is exposed so tests can parse flags and build
// the init data without running anything.
func newInitCmd(s IOStreams, o *initOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Run this command in order to set up the Kubernetes control plane",
		Args:  cobra.NoArgs,
	}
	addInitFlags(cmd.Flags(), o)
	wf := &workflow.Command[initphases.Data]{
		Workflow: &workflow.Workflow[initphases.Data]{Phases: initphases.Phases(&o.printManifest)},
		NewData: func(ctx context.Context, cmd *cobra.Command, _ []string) (initphases.Data, error) {
			return newInitData(ctx, cmd, o)
		},
		ConfigSkipPhases: func(d initphases.Data) []string { return d.Cfg().SkipPhases },
		AdditionalFlags:  initPhaseOnlyFlags(o),
		Out:              s.Out,
	}
	wf.Bind(cmd)
	return cmd
}

func addInitFlags(f *pflag.FlagSet, o *initOptions) {
	f.StringVar(&o.advertiseAddress, options.APIServerAdvertiseAddress, "",
		"The IP address the API Server will advertise it's listening on. If not set the default network interface will be used.")
	f.Int32Var(&o.bindPort, options.APIServerBindPort, o.bindPort, "Port for the API Server to bind to.")
	f.StringSliceVar(&o.certSANs, options.APIServerCertSANs, nil,
		"Optional extra Subject Alternative Names (SANs) to use for the API Server serving certificate. Can be both IP addresses and DNS names.")
	f.StringVar(&o.certificatesDir, options.CertificatesDir, o.certificatesDir, "The path where to save and store the certificates.")
	f.StringVar(&o.certificateKey, options.CertificateKey, "",
		"Key used to encrypt the control-plane certificates in the kubeadm-certs Secret. The certificate key is a hex encoded string that is an AES key of size 32 bytes.")
	f.StringVar(&o.cfgPath, options.Config, "", options.HelpConfig)
	f.StringVar(&o.controlPlaneEndpoint, options.ControlPlaneEndpoint, "", "Specify a stable IP address or DNS name for the control plane.")
	f.StringVar(&o.criSocket, options.CRISocket, "", options.HelpCRISocket)
	f.BoolVar(&o.dryRun, options.DryRun, false, options.HelpDryRun)
	addFeatureGatesFlag(f, &o.featureGates)
	f.StringSliceVar(&o.ignorePreflightErrors, options.IgnorePreflightErrors, nil, options.HelpIgnorePreflightErrors)
	addImageRepositoryFlag(f, &o.imageRepository)
	addKubernetesVersionFlag(f, &o.kubernetesVersion)
	f.StringVar(&o.nodeName, options.NodeName, "", options.HelpNodeName)
	f.StringVar(&o.patchesDir, options.Patches, "", options.HelpPatches)
	f.StringVar(&o.podSubnet, options.PodNetworkCIDR, "",
		"Specify range of IP addresses for the pod network. If set, the control plane will automatically allocate CIDRs for every node.")
	f.StringVar(&o.serviceSubnet, options.ServiceCIDR, o.serviceSubnet, "Use alternative range of IP address for service VIPs.")
	f.StringVar(&o.dnsDomain, options.ServiceDNSDomain, o.dnsDomain, `Use alternative domain for services, e.g. "myorg.internal".`)
	f.BoolVar(&o.skipCertificateKeyPrint, options.SkipCertificateKeyPrint, false, "Don't print the key used to encrypt the control-plane certificates.")
	f.BoolVar(&o.skipTokenPrint, options.SkipTokenPrint, false, "Skip printing of the default bootstrap token generated by 'kubeadm init'.")
	f.StringVar(&o.token, options.Token, "",
		`The token to use for establishing bidirectional trust between nodes and control-plane nodes. The format is [a-z0-9]{6}\.[a-z0-9]{16} - e.g. abcdef.0123456789abcdef`)
	f.DurationVar(&o.tokenTTL, options.TokenTTL, o.tokenTTL,
		"The duration before the token is automatically deleted (e.g. 1s, 2m, 3h). If set to '0', the token will never expire")
	f.BoolVar(&o.uploadCerts, options.UploadCerts, false, "Upload control-plane certificates to the kubeadm-certs Secret.")
}

// initPhaseOnlyFlags are flags that only `init phase ...` commands have.
func initPhaseOnlyFlags(o *initOptions) *pflag.FlagSet {
	f := pflag.NewFlagSet("phase-only", pflag.ContinueOnError)
	f.StringVar(&o.kubeconfigPath, options.Kubeconfig, o.kubeconfigPath,
		"The kubeconfig file to use when talking to the cluster. If the flag is not set, a set of standard locations can be searched for an existing kubeconfig file.")
	f.StringVar(&o.kubeconfigDir, options.KubeconfigDir, o.kubeconfigDir, "The path where to save the kubeconfig file.")
	const removed = "This flag will be removed in a future version"
	for _, a := range []struct {
		flag, component, field string
		dst                    *map[string]string
	}{
		{options.APIServerExtraArgs, "API Server", "apiServer", &o.apiServerExtraArgs},
		{options.ControllerManagerExtraArgs, "Controller Manager", "controllerManager", &o.cmExtraArgs},
		{options.SchedulerExtraArgs, "Scheduler", "scheduler", &o.schedulerExtraArgs},
	} {
		f.StringToStringVar(a.dst, a.flag, nil, fmt.Sprintf("A set of extra flags to pass to the %s or override default ones in form of <flagname>=<value>", a.component))
		_ = f.MarkDeprecated(a.flag, fmt.Sprintf("use 'ClusterConfiguration.%s.extraArgs' instead. %s", a.field, removed))
	}
	return f
}

// The flags that choose what a control plane runs, shared by init and the
// images commands. The defaults are kubeadm's.
func addFeatureGatesFlag(f *pflag.FlagSet, dst *string) {
	f.StringVar(dst, options.FeatureGates, "",
		"A set of key=value pairs that describe feature gates for various features. Options are:\n"+strings.Join(knownFeatureGates(), "\n"))
}

func addImageRepositoryFlag(f *pflag.FlagSet, dst *string) {
	f.StringVar(dst, options.ImageRepository, config.DefaultImageRepository, "Choose a container registry to pull control plane images from")
}

func addKubernetesVersionFlag(f *pflag.FlagSet, dst *string) {
	f.StringVar(dst, options.KubernetesVersion, config.DefaultKubernetesVersionLabel, "Choose a specific Kubernetes version for the control plane.")
}

func knownFeatureGates() []string {
	var known []string
	for name, desc := range config.FeatureGates() {
		known = append(known, fmt.Sprintf("%s=true|false (%s)", name, desc))
	}
	slices.Sort(known)
	return known
}

// parseFeatureGates parses --feature-gates "a=true,b=false".
func parseFeatureGates(s string) (map[string]bool, error) {
	gates := map[string]bool{}
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, usagef("--%s: %q is not of the form name=true|false", options.FeatureGates, kv)
		}
		if _, known := config.FeatureGates()[name]; !known {
			return nil, usagef("--%s: unknown feature gate %q; known gates: %s", options.FeatureGates, name, strings.Join(knownFeatureGates(), ", "))
		}
		b, err := strconv.ParseBool(value)
		if err != nil {
			return nil, usagef("--%s: %s=%q is not a boolean", options.FeatureGates, name, value)
		}
		gates[name] = b
	}
	return gates, nil
}

// initData is the InitData of one kadm init run.
type initData struct {
	cfg     *config.InitConfiguration
	cluster *config.ClusterConfiguration
	opts    *initOptions
	// dirs are the directories phases write to: the real ones, or their
	// places in the dry run's directory on --dry-run.
	certDir, kubeconfigDir, manifestDir, kubeletDir string
	// dryRun is --dry-run's directory, removed by Close.
	dryRun         *dryrun.Dir
	kubeconfigPath string
	externalCA     bool
	client         lazyClient
	keys           *pkiutil.KeyPool
	patches        patchSet
	// components are the config file's component documents.
	components []config.ComponentConfig
	host       machine.Host
}

var _ initphases.Data = (*initData)(nil)

func (d *initData) Cfg() *config.InitConfiguration           { return d.cfg }
func (d *initData) ClusterCfg() *config.ClusterConfiguration { return d.cluster }
func (d *initData) DryRun() bool                             { return d.cfg.DryRun }
func (d *initData) IgnorePreflightErrors() []string {
	return d.cfg.NodeRegistration.IgnorePreflightErrors
}
func (d *initData) UploadCerts() bool             { return d.opts.uploadCerts }
func (d *initData) SkipTokenPrint() bool          { return d.opts.skipTokenPrint }
func (d *initData) SkipCertificateKeyPrint() bool { return d.opts.skipCertificateKeyPrint }
func (d *initData) PrintManifest() bool           { return d.opts.printManifest }
func (d *initData) CertificatesDir() string       { return d.certDir }
func (d *initData) KubeConfigDir() string         { return d.kubeconfigDir }
func (d *initData) KubeConfigPath() string        { return d.kubeconfigPath }
func (d *initData) ManifestDir() string           { return d.manifestDir }
func (d *initData) KubeletDir() string            { return d.kubeletDir }
func (d *initData) ExternalCA() bool              { return d.externalCA }
func (d *initData) Program() string               { return d.opts.program }
func (d *initData) Keys() *pkiutil.KeyPool        { return d.keys }
func (d *initData) Host() machine.Host            { return d.host }
func (d *initData) HostKubeConfigDir() string     { return d.opts.kubeconfigDir }

// Close removes the dry run's directory, if the run made one.
func (d *initData) Close() error { return d.dryRun.Close() }
func (d *initData) Client(ctx context.Context) (kube.Interface, error) {
	return d.client.get(func() (kube.Interface, error) {
		server, err := initServer(d.opts.kubeconfigPath, d.cfg.LocalAPIEndpoint)
		if err != nil {
			return nil, err
		}
		return initClient(ctx, d.kubeconfigPath, d.kubeconfigDir, server, d.cfg.Timeouts.KubernetesAPICall.Duration)
	})
}
func (d *initData) Patches(ctx context.Context) (*patches.Set, error) {
	return d.patches.get(ctx, d.patchesDir())
}
func (d *initData) KubeletConfigDocument() []byte {
	return componentDocument(d.components, config.KindKubeletConfiguration)
}
func (d *initData) KubeProxyConfigDocument() []byte {
	return componentDocument(d.components, config.KindKubeProxyConfiguration)
}
func (d *initData) patchesDir() string {
	if d.cfg.Patches == nil {
		return ""
	}
	return d.cfg.Patches.Directory
}

// initServer is the API server init's own calls go to: this node's, when
// --kubeconfig is the default admin.conf, which names the
// controlPlaneEndpoint, as kubeadm v1.37 does; otherwise the server the
// given kubeconfig names (""), which the user chose.
func initServer(kubeconfigFlag string, local config.APIEndpoint) (string, error) {
	if kubeconfigFlag != config.DefaultAdminConf {
		return "", nil
	}
	return kubeconfig.LocalURL(local)
}

// newInitData builds the Init and Cluster configurations from --config and
// the flags, defaults and validates them.
func newInitData(ctx context.Context, cmd *cobra.Command, o *initOptions) (*initData, error) {
	cfg, cluster := &config.InitConfiguration{}, &config.ClusterConfiguration{}
	var components []config.ComponentConfig
	ov := &overrides{flags: cmd.Flags()}
	if o.cfgPath != "" {
		docs, err := loadInitDocuments(o.program, o.cfgPath)
		if err != nil {
			return nil, err
		}
		if docs.Init != nil {
			cfg = docs.Init
		}
		if docs.Cluster != nil {
			cluster = docs.Cluster
		}
		components = docs.Components
		ov.source = o.cfgPath
	}
	if err := applyInitFlags(cfg, cluster, ov, o); err != nil {
		return nil, err
	}
	ov.report(ctx)

	if err := mergeIgnores(&cfg.NodeRegistration, o.ignorePreflightErrors); err != nil {
		return nil, err
	}
	if err := initHostDefaults(cfg); err != nil {
		return nil, err
	}
	config.SetInitDefaults(cfg)
	config.SetClusterDefaults(cluster)
	if err := config.ValidateInit(cfg, cluster); err != nil {
		return nil, ov.nameFlags(err)
	}
	d := &initData{
		cfg: cfg, cluster: cluster, opts: o,
		certDir: cluster.CertificatesDir, kubeconfigDir: o.kubeconfigDir, kubeconfigPath: o.kubeconfigPath,
		manifestDir: config.DefaultManifestsDir, kubeletDir: config.DefaultKubeletDir,
		keys: pkiutil.NewKeyPool(), components: components, host: machine.Real(),
	}
	d.externalCA = exists(filepath.Join(cluster.CertificatesDir, "ca.crt")) && !exists(filepath.Join(cluster.CertificatesDir, "ca.key"))
	if cfg.DryRun {
		dir, err := dryrun.Open(ctx, config.EnvInitDryRunDir, config.DefaultTmpDir, config.InitDryRunDirPrefix)
		if err != nil {
			return nil, err
		}
		d.dryRun = dir
		d.certDir, d.kubeconfigDir = dir.Path(cluster.CertificatesDir), dir.Path(o.kubeconfigDir)
		if o.kubeconfigPath == config.DefaultAdminConf {
			d.kubeconfigPath = filepath.Join(d.kubeconfigDir, kubeconfig.AdminFile)
		}
		d.manifestDir, d.kubeletDir = dir.Path(config.DefaultManifestsDir), dir.Path(config.DefaultKubeletDir)
	}
	return d, nil
}

// loadInitDocuments reads a configuration file for init, which must hold an
// InitConfiguration or a ClusterConfiguration.
func loadInitDocuments(program, path string) (*config.Documents, error) {
	docs, err := loadConfig(program, path)
	if err != nil {
		return nil, err
	}
	if docs.Init == nil && docs.Cluster == nil {
		return nil, usagef("--%s %s: no InitConfiguration or ClusterConfiguration in the file (apiVersion %s)", options.Config, path, config.V1Beta4)
	}
	return docs, nil
}

// applyInitFlags puts the explicitly set flags into the configurations.
func applyInitFlags(cfg *config.InitConfiguration, cluster *config.ClusterConfiguration, ov *overrides, o *initOptions) error {
	fs := ov.flags
	nr := &cfg.NodeRegistration
	setField(ov, options.APIServerAdvertiseAddress, "localAPIEndpoint.advertiseAddress", &cfg.LocalAPIEndpoint.AdvertiseAddress, o.advertiseAddress)
	setField(ov, options.APIServerBindPort, "localAPIEndpoint.bindPort", &cfg.LocalAPIEndpoint.BindPort, o.bindPort)
	setField(ov, options.NodeName, "nodeRegistration.name", &nr.Name, o.nodeName)
	setField(ov, options.CRISocket, "nodeRegistration.criSocket", &nr.CRISocket, o.criSocket)
	setField(ov, options.CertificateKey, "certificateKey", &cfg.CertificateKey, o.certificateKey)
	setField(ov, options.DryRun, "dryRun", &cfg.DryRun, o.dryRun)
	if fs.Changed(options.Patches) {
		if cfg.Patches == nil {
			cfg.Patches = &config.Patches{}
		}
		setField(ov, options.Patches, "patches.directory", &cfg.Patches.Directory, o.patchesDir)
	}

	setField(ov, options.ServiceCIDR, "networking.serviceSubnet", &cluster.Networking.ServiceSubnet, o.serviceSubnet)
	setField(ov, options.PodNetworkCIDR, "networking.podSubnet", &cluster.Networking.PodSubnet, o.podSubnet)
	setField(ov, options.ServiceDNSDomain, "networking.dnsDomain", &cluster.Networking.DNSDomain, o.dnsDomain)
	setField(ov, options.ControlPlaneEndpoint, "controlPlaneEndpoint", &cluster.ControlPlaneEndpoint, o.controlPlaneEndpoint)
	setField(ov, options.KubernetesVersion, "kubernetesVersion", &cluster.KubernetesVersion, o.kubernetesVersion)
	setField(ov, options.CertificatesDir, "certificatesDir", &cluster.CertificatesDir, o.certificatesDir)
	setField(ov, options.APIServerCertSANs, "apiServer.certSANs", &cluster.APIServer.CertSANs, o.certSANs)
	setField(ov, options.ImageRepository, "imageRepository", &cluster.ImageRepository, o.imageRepository)
	if fs.Changed(options.FeatureGates) {
		gates, err := parseFeatureGates(o.featureGates)
		if err != nil {
			return err
		}
		setField(ov, options.FeatureGates, "featureGates", &cluster.FeatureGates, gates)
	}
	setField(ov, options.APIServerExtraArgs, "apiServer.extraArgs", &cluster.APIServer.ExtraArgs, toArgs(o.apiServerExtraArgs))
	setField(ov, options.ControllerManagerExtraArgs, "controllerManager.extraArgs", &cluster.ControllerManager.ExtraArgs, toArgs(o.cmExtraArgs))
	setField(ov, options.SchedulerExtraArgs, "scheduler.extraArgs", &cluster.Scheduler.ExtraArgs, toArgs(o.schedulerExtraArgs))

	if _, ok := changedAny(fs, options.Token, options.TokenTTL); ok {
		if len(cfg.BootstrapTokens) == 0 {
			cfg.BootstrapTokens = []config.BootstrapToken{{}}
		}
		bt := &cfg.BootstrapTokens[0]
		if fs.Changed(options.Token) {
			tok, err := config.NewBootstrapTokenString(o.token)
			if err != nil {
				return usagef("--%s: %v", options.Token, err)
			}
			setField(ov, options.Token, "bootstrapTokens[0].token", &bt.Token, tok)
		}
		setField(ov, options.TokenTTL, "bootstrapTokens[0].ttl", &bt.TTL, &metav1.Duration{Duration: o.tokenTTL})
	}
	return nil
}

// toArgs turns a flag's name=value map into extraArgs, sorted by name so the
// generated manifests do not depend on map order.
func toArgs(m map[string]string) []config.Arg {
	args := make([]config.Arg, 0, len(m))
	for name, value := range m {
		args = append(args, config.Arg{Name: name, Value: value})
	}
	slices.SortFunc(args, func(a, b config.Arg) int { return strings.Compare(a.Name, b.Name) })
	return args
}
