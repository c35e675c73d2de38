package app

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/discovery"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/dryrun"
	"github.com/kadm-project/kadm/node/machine"
	joinphases "github.com/kadm-project/kadm/phases/join"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
	"github.com/kadm-project/kadm/pkiutil"
)

const joinLong = `When joining a kubeadm initialized cluster, we need to establish
bidirectional trust. This is split into discovery (having the Node
trust the Kubernetes Control Plane) and TLS bootstrap (having the
Kubernetes Control Plane trust the Node).

There are 2 main schemes for discovery. The first is to use a shared
token along with the IP address of the API server. The second is to
provide a file - a subset of the standard kubeconfig file. The
discovery/kubeconfig file supports token, client-go authentication
plugins ("exec"), "tokenFile", and "authProvider". This file can be a
local file or downloaded via an HTTPS URL. The forms are
kubeadm join --discovery-token abcdef.1234567890abcdef 1.2.3.4:6443,
kubeadm join --discovery-file path/to/file.conf, or kubeadm join
--discovery-file https://url/file.conf. Only one form can be used. If
the discovery information is loaded from a URL, HTTPS must be used.
Also, in that case the host installed CA bundle is used to verify
the connection.

If you use a shared token for discovery, you should also pass the
--discovery-token-ca-cert-hash flag to validate the public key of the
root certificate authority (CA) presented by the Kubernetes Control Plane.
The value of this flag is specified as "<hash-type>:<hex-encoded-value>",
where the supported hash type is "sha256". The hash is calculated over
the bytes of the Subject Public Key Info (SPKI) object (as in RFC7469).
This value is available in the output of "kubeadm init" or can be
calculated using standard tools. The --discovery-token-ca-cert-hash flag
may be repeated multiple times to allow more than one public key.

If you cannot know the CA public key hash ahead of time, you can pass
the --discovery-token-unsafe-skip-ca-verification flag to disable this
verification. This weakens the kubeadm security model since other nodes
can potentially impersonate the Kubernetes Control Plane.

The TLS bootstrap mechanism is also driven via a shared token. This is
used to temporarily authenticate with the Kubernetes Control Plane to submit a
certificate signing request (CSR) for a locally created key pair. By
default, kubeadm will set up the Kubernetes Control Plane to automatically
approve these signing requests. This token is passed in with the
--tls-bootstrap-token abcdef.1234567890abcdef flag.

Often times the same token is used for both parts. In this case, the
--token flag can be used instead of specifying each token individually.`

// joinOptions holds the join flags. Flags that have a configuration field
// are applied on top of --config by newJoinData.
type joinOptions struct {
	cfgPath               string
	token                 string
	controlPlane          bool
	ignorePreflightErrors []string
	patchesDir            string
	dryRun                bool

	nodeName                 string
	criSocket                string
	certificateKey           string
	advertiseAddress         string
	bindPort                 int32
	discoveryToken           string
	caCertHashes             []string
	unsafeSkipCAVerification bool
	discoveryFile            string
	tlsBootstrapToken        string
}

func newJoinOptions() *joinOptions {
	return &joinOptions{bindPort: config.DefaultAPIBindPort}
}

// newJoinCmd makes `join`; opts is exposed so tests can parse flags and
// build the join data without running anything.
func newJoinCmd(s IOStreams, opts *joinOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "join [api-server-endpoint]",
		Short: "Run this on any machine you wish to join an existing cluster",
		Long:  joinLong,
		Args:  endpointArgs,
	}
	addJoinFlags(cmd, opts)
	wf := &workflow.Command[joinphases.Data]{
		Workflow: &workflow.Workflow[joinphases.Data]{Phases: joinphases.Phases()},
		NewData: func(ctx context.Context, cmd *cobra.Command, args []string) (joinphases.Data, error) {
			return newJoinData(ctx, cmd, args, opts)
		},
		ConfigSkipPhases: func(d joinphases.Data) []string { return d.Cfg().SkipPhases },
		Done:             joinphases.Done,
		Out:              s.Out,
	}
	wf.Bind(cmd)
	return cmd
}

// endpointArgs accepts at most one API server endpoint. kubeadm warns and
// uses the first of several; kadm refuses, since a second endpoint is most
// likely a misplaced flag value.
func endpointArgs(_ *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usagef("expected at most one api-server-endpoint, got %d: %s", len(args), strings.Join(args, " "))
	}
	return nil
}

func addJoinFlags(cmd *cobra.Command, o *joinOptions) {
	f := cmd.Flags()
	f.StringVar(&o.advertiseAddress, options.APIServerAdvertiseAddress, "",
		"If the node should host a new control plane instance, the IP address the API Server will advertise it's listening on. If not set the default network interface will be used.")
	f.Int32Var(&o.bindPort, options.APIServerBindPort, o.bindPort,
		"If the node should host a new control plane instance, the port for the API Server to bind to.")
	f.StringVar(&o.certificateKey, options.CertificateKey, "",
		"Use this key to decrypt the certificate secrets uploaded by init. The certificate key is a hex encoded string that is an AES key of size 32 bytes.")
	f.StringVar(&o.cfgPath, options.Config, "", options.HelpConfig)
	f.BoolVar(&o.controlPlane, options.ControlPlane, false, "Create a new control plane instance on this node")
	f.StringVar(&o.criSocket, options.CRISocket, "", options.HelpCRISocket)
	f.StringVar(&o.discoveryFile, options.DiscoveryFile, "",
		"For file-based discovery, a file or URL from which to load cluster information.")
	f.StringVar(&o.discoveryToken, options.DiscoveryToken, "",
		"For token-based discovery, the token used to validate cluster information fetched from the API server.")
	f.StringSliceVar(&o.caCertHashes, options.DiscoveryTokenCACertHash, nil,
		`For token-based discovery, validate that the root CA public key matches this hash (format: "<type>:<value>").`)
	f.BoolVar(&o.unsafeSkipCAVerification, options.DiscoveryTokenUnsafeSkip, false,
		"For token-based discovery, allow joining without --discovery-token-ca-cert-hash pinning.")
	f.BoolVar(&o.dryRun, options.DryRun, false, options.HelpDryRun)
	f.StringSliceVar(&o.ignorePreflightErrors, options.IgnorePreflightErrors, nil, options.HelpIgnorePreflightErrors)
	f.StringVar(&o.nodeName, options.NodeName, "", options.HelpNodeName)
	f.StringVar(&o.patchesDir, options.Patches, "", options.HelpPatches)
	f.StringVar(&o.tlsBootstrapToken, options.TLSBootstrapToken, "",
		"Specify the token used to temporarily authenticate with the Kubernetes Control Plane while joining the node.")
	f.StringVar(&o.token, options.Token, "",
		"Use this token for both discovery-token and tls-bootstrap-token when those values are not provided.")
}

// newJoinData builds the JoinConfiguration from --config and the flags,
// defaults and validates it.
func newJoinData(ctx context.Context, cmd *cobra.Command, args []string, o *joinOptions) (*joinData, error) {
	cfg := &config.JoinConfiguration{}
	ov := &overrides{flags: cmd.Flags()}
	if o.cfgPath != "" {
		docs, err := loadConfig(cmd.Root().Name(), o.cfgPath)
		if err != nil {
			return nil, err
		}
		if docs.Join == nil {
			return nil, usagef("--%s %s: no JoinConfiguration in the file (%s join needs kind JoinConfiguration, apiVersion %s)", options.Config, o.cfgPath, cmd.Root().Name(), config.V1Beta4)
		}
		cfg, ov.source = docs.Join, o.cfgPath
	}
	// A phase command without discovery flags (kubelet-wait-bootstrap,
	// etcd-join, ...) does not discover the cluster, as kubeadm's: it needs
	// no discovery, and a control-plane node's reads the cluster with
	// admin.conf.
	discovers := cmd.Flags().Lookup(options.DiscoveryFile) != nil
	if err := applyJoinFlags(ctx, cfg, ov, args, o, discovers); err != nil {
		return nil, err
	}
	ov.report(ctx)

	if err := mergeIgnores(&cfg.NodeRegistration, o.ignorePreflightErrors); err != nil {
		return nil, err
	}
	if err := joinHostDefaults(cfg); err != nil {
		return nil, err
	}
	config.SetJoinDefaults(cfg)
	validate := config.ValidateJoin
	if !discovers {
		validate = config.ValidateJoinPhase
	}
	if err := validate(cfg); err != nil {
		return nil, ov.nameFlags(err)
	}
	d := &joinData{
		cfg: cfg, program: cmd.Root().Name(),
		kubeconfigDir: config.DefaultKubernetesDir, kubeletDir: config.DefaultKubeletDir, manifestDir: config.DefaultManifestsDir,
		keys: pkiutil.NewKeyPool(), discover: discovery.Discover, clientFor: bootstrapClient(cfg.Timeouts.KubernetesAPICall.Duration), host: machine.Real(),
	}
	if cfg.DryRun {
		dir, err := dryrun.Open(ctx, config.EnvJoinDryRunDir, config.DefaultTmpDir, config.JoinDryRunDirPrefix)
		if err != nil {
			return nil, err
		}
		d.dryRun = dir
	}
	return d, nil
}

// applyJoinFlags puts the explicitly set flags into cfg; discovers tells
// whether the command discovers the cluster and so needs a discovery method.
func applyJoinFlags(ctx context.Context, cfg *config.JoinConfiguration, ov *overrides, args []string, o *joinOptions, discovers bool) error {
	fs := ov.flags
	if err := chooseDiscovery(cfg, ov, args, o, discovers); err != nil {
		return err
	}
	nr := &cfg.NodeRegistration
	setField(ov, options.NodeName, "nodeRegistration.name", &nr.Name, o.nodeName)
	setField(ov, options.CRISocket, "nodeRegistration.criSocket", &nr.CRISocket, o.criSocket)
	setField(ov, options.DryRun, "dryRun", &cfg.DryRun, o.dryRun)
	if fs.Changed(options.Patches) {
		if cfg.Patches == nil {
			cfg.Patches = &config.Patches{}
		}
		setField(ov, options.Patches, "patches.directory", &cfg.Patches.Directory, o.patchesDir)
	}

	cpFlag, cpFlagsSet := changedAny(fs, options.CertificateKey, options.APIServerAdvertiseAddress, options.APIServerBindPort)
	switch {
	case fs.Changed(options.ControlPlane) && !o.controlPlane:
		if cfg.ControlPlane != nil {
			ov.notes = append(ov.notes, "--control-plane=false overrides controlPlane")
		}
		cfg.ControlPlane = nil
	case o.controlPlane && cfg.ControlPlane == nil:
		cfg.ControlPlane = &config.JoinControlPlane{}
	}
	if cfg.ControlPlane == nil {
		if cpFlagsSet {
			progress.Printf(ctx, "[preflight] WARNING: --%s is ignored: it applies to control-plane joins only, which need --%s\n", cpFlag, options.ControlPlane)
		}
		return nil
	}
	cp := cfg.ControlPlane
	setField(ov, options.CertificateKey, "controlPlane.certificateKey", &cp.CertificateKey, o.certificateKey)
	setField(ov, options.APIServerAdvertiseAddress, "controlPlane.localAPIEndpoint.advertiseAddress", &cp.LocalAPIEndpoint.AdvertiseAddress, o.advertiseAddress)
	setField(ov, options.APIServerBindPort, "controlPlane.localAPIEndpoint.bindPort", &cp.LocalAPIEndpoint.BindPort, o.bindPort)
	return nil
}

// chooseDiscovery applies the discovery flags. Token discovery and file
// discovery exclude each other; a flag of one kind next to a configuration
// of the other cannot be resolved by precedence and is a usage error. With
// required, having neither is one too.
func chooseDiscovery(cfg *config.JoinConfiguration, ov *overrides, args []string, o *joinOptions, required bool) error {
	fs := ov.flags
	d := &cfg.Discovery
	tokenFlag, tokenFlags := changedAny(fs, options.DiscoveryToken, options.DiscoveryTokenCACertHash, options.DiscoveryTokenUnsafeSkip)
	if len(args) > 0 && !tokenFlags {
		tokenFlag, tokenFlags = "api-server-endpoint argument", true
	} else if tokenFlags {
		tokenFlag = "--" + tokenFlag
	}
	fileFlag := fs.Changed(options.DiscoveryFile)
	switch {
	case tokenFlags && fileFlag:
		return usagef("--%s cannot be used with token discovery (%s): choose one discovery method", options.DiscoveryFile, tokenFlag)
	case tokenFlags && d.File != nil:
		return usagef("%s selects token discovery but %s configures discovery.file: remove one of them", tokenFlag, ov.source)
	case fileFlag && d.BootstrapToken != nil:
		return usagef("--%s selects file discovery but %s configures discovery.bootstrapToken: remove one of them", options.DiscoveryFile, ov.source)
	}

	if fileFlag {
		d.File = &config.FileDiscovery{KubeConfigPath: o.discoveryFile}
	}
	if tokenFlags && d.BootstrapToken == nil {
		d.BootstrapToken = &config.BootstrapTokenDiscovery{}
	}
	if bt := d.BootstrapToken; bt != nil {
		if len(args) > 0 {
			if bt.APIServerEndpoint != "" && bt.APIServerEndpoint != args[0] {
				ov.notes = append(ov.notes, "the api-server-endpoint argument overrides discovery.bootstrapToken.apiServerEndpoint")
			}
			bt.APIServerEndpoint = args[0]
		}
		flag, tok := pickTokenFlag(fs, options.DiscoveryToken, o.discoveryToken, o.token)
		setField(ov, flag, "discovery.bootstrapToken.token", &bt.Token, tok)
		setField(ov, options.DiscoveryTokenCACertHash, "discovery.bootstrapToken.caCertHashes", &bt.CACertHashes, o.caCertHashes)
		setField(ov, options.DiscoveryTokenUnsafeSkip, "discovery.bootstrapToken.unsafeSkipCAVerification", &bt.UnsafeSkipCAVerification, o.unsafeSkipCAVerification)
	}
	flag, tok := pickTokenFlag(fs, options.TLSBootstrapToken, o.tlsBootstrapToken, o.token)
	setField(ov, flag, "discovery.tlsBootstrapToken", &d.TLSBootstrapToken, tok)
	if required && !tokenFlags && !fileFlag && d.BootstrapToken == nil && d.File == nil {
		return usagef("no discovery method: give the API server endpoint with --%s and --%s (or --%s), or --%s", options.Token, options.DiscoveryTokenCACertHash, options.DiscoveryTokenUnsafeSkip, options.DiscoveryFile)
	}
	return nil
}

// pickTokenFlag picks the flag that sets one of the two join tokens: its own
// flag when given, otherwise --token, which stands for both.
func pickTokenFlag(fs *pflag.FlagSet, own, ownValue, tokenValue string) (flag, value string) {
	if fs.Changed(own) || !fs.Changed(options.Token) {
		return own, ownValue
	}
	return options.Token, tokenValue
}
