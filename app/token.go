package app

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/client-go/tools/clientcmd"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/bootstraptoken"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/phases/options"
)

// tokenOptions are the flags every `token` subcommand shares.
type tokenOptions struct {
	kubeconfig string
	dryRun     bool
	// client connects to the cluster a kubeconfig names; tests put a fake
	// clientset here.
	client func(path string) (kube.Interface, error)
	// timeout bounds list and delete, which take no configuration:
	// kubeadm's default kubernetesAPICall.
	timeout time.Duration
}

// tokenCreateOptions are the flags of `token create`.
type tokenCreateOptions struct {
	cfgPath          string
	printJoinCommand bool
	certificateKey   string
	ttl              time.Duration
	usages           []string
	groups           []string
	description      string
}

func newTokenCmd(s IOStreams) *cobra.Command {
	return newTokenCmdWith(s, &tokenOptions{client: clientFromKubeconfig, timeout: config.DefaultKubernetesAPICallTimeout})
}

func newTokenCmdWith(s IOStreams, o *tokenOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage bootstrap tokens",
		Long: `This command manages bootstrap tokens. It is optional and needed only for advanced use cases.

In short, bootstrap tokens are used for establishing bidirectional trust between a client and a server.
A bootstrap token can be used when a client (for example a node that is about to join the cluster) needs
to trust the server it is talking to. Then a bootstrap token with the "signing" usage can be used.
bootstrap tokens can also function as a way to allow short-lived authentication to the API Server
(the token serves as a way for the API Server to trust the client), for example for doing the TLS Bootstrap.

What is a bootstrap token more exactly?
 - It is a Secret in the kube-system namespace of type "bootstrap.kubernetes.io/token".
 - A bootstrap token must be of the form "[a-z0-9]{6}.[a-z0-9]{16}". The former part is the public token ID,
   while the latter is the Token Secret and it must be kept private at all circumstances!
 - The name of the Secret must be named "bootstrap-token-(token-id)".

You can read more about bootstrap tokens here:
  https://kubernetes.io/docs/admin/bootstrap-tokens/
`,
		Args: cobra.NoArgs,
		RunE: requireSubcommand,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.kubeconfig, options.Kubeconfig, "", options.HelpKubeconfig)
	pf.Lookup(options.Kubeconfig).DefValue = config.DefaultAdminConf
	pf.BoolVar(&o.dryRun, options.DryRun, false, "Whether to enable dry-run mode or not")
	cmd.AddCommand(newTokenCreateCmd(s, o), newTokenDeleteCmd(s, o), newTokenGenerateCmd(s), newTokenListCmd(s, o))
	return cmd
}

// kubeconfigPath is --kubeconfig or, as kubeadm does without it, the first
// file that exists of $KUBECONFIG, ~/.kube/config and admin.conf.
func (o *tokenOptions) kubeconfigPath() string {
	if o.kubeconfig != "" {
		return o.kubeconfig
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.Precedence = append(rules.Precedence, config.DefaultAdminConf)
	return rules.GetDefaultFilename()
}

func (o *tokenOptions) connect(path string) (kube.Interface, error) {
	client, err := o.client(path)
	if err != nil {
		return nil, fmt.Errorf("connect to the cluster with %s: %w (pass --%s)", path, err, options.Kubeconfig)
	}
	return client, nil
}

func newTokenGenerateCmd(s IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "generate",
		Short: "Generate and print a bootstrap token, but do not create it on the server",
		Long: `This command will print out a randomly-generated bootstrap token that can be used with
the "init" and "join" commands.

You don't have to use this command in order to generate a token. You can do so
yourself as long as it is in the format "[a-z0-9]{6}.[a-z0-9]{16}". This
command is provided for convenience to generate tokens in the given format.

You can also use "kubeadm init" without specifying a token and it will
generate and print one for you.
`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tok, err := bootstraputil.GenerateBootstrapToken()
			if err != nil {
				return fmt.Errorf("generate a bootstrap token: %w", err)
			}
			fmt.Fprintln(s.Out, tok)
			return nil
		},
	}
}

func newTokenCreateCmd(s IOStreams, o *tokenOptions) *cobra.Command {
	co := &tokenCreateOptions{}
	cmd := &cobra.Command{
		Use:                   "create [token]",
		DisableFlagsInUseLine: true,
		Short:                 "Create bootstrap tokens on the server",
		Long: `This command will create a bootstrap token for you.
You can specify the usages for this token, the "time to live" and an optional human friendly description.

The [token] is the actual token to write.
This should be a securely generated random token of the form "[a-z0-9]{6}.[a-z0-9]{16}".
If no [token] is given, kubeadm will generate a random token instead.
`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTokenCreate(cmd, s, o, co, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&co.cfgPath, options.Config, "", options.HelpConfig)
	f.BoolVar(&co.printJoinCommand, options.PrintJoinCommand, false,
		"Instead of printing only the token, print the full 'kubeadm join' flag needed to join the cluster using the token.")
	f.StringVar(&co.certificateKey, options.CertificateKey, "",
		"When used together with '--print-join-command', print the full 'kubeadm join' flag needed to join the cluster as a control-plane. To create a new certificate key you must use 'kubeadm init phase upload-certs --upload-certs'.")
	f.DurationVar(&co.ttl, options.TTL, config.DefaultTokenTTL,
		"The duration before the token is automatically deleted (e.g. 1s, 2m, 3h). If set to '0', the token will never expire")
	f.StringSliceVar(&co.usages, options.TokenUsages, config.DefaultTokenUsages(),
		fmt.Sprintf("Describes the ways in which this token can be used. You can pass --usages multiple times or provide a comma separated list of options. Valid options: [%s]", strings.Join(config.DefaultTokenUsages(), ",")))
	f.StringSliceVar(&co.groups, options.TokenGroups, []string{config.DefaultTokenGroup},
		fmt.Sprintf("Extra groups that this token will authenticate as when used for authentication. Must match %q", bootstrapapi.BootstrapGroupPattern))
	f.StringVar(&co.description, options.TokenDescription, "", "A human friendly description of how this token is used.")
	return cmd
}

// runTokenCreate checks everything it can (token, certificate key, the
// configuration, the kubeconfig a join command needs) before it writes to
// the cluster, so that a mistake leaves no stray token behind.
func runTokenCreate(cmd *cobra.Command, s IOStreams, o *tokenOptions, co *tokenCreateOptions, args []string) error {
	var tok *config.BootstrapTokenString
	if len(args) == 1 {
		var err error
		if tok, err = config.NewBootstrapTokenString(args[0]); err != nil {
			return usagef("[token] argument: %v", err)
		}
	}
	if co.certificateKey != "" {
		if !co.printJoinCommand {
			return usagef("--%s needs --%s: the key is only printed as part of the control-plane join command", options.CertificateKey, options.PrintJoinCommand)
		}
		if err := config.ValidateCertificateKey(co.certificateKey); err != nil {
			return usagef("--%s: %v", options.CertificateKey, err)
		}
	}
	cfg, err := tokenCreateConfig(cmd, s, co, tok)
	if err != nil {
		return err
	}
	path := o.kubeconfigPath()
	var join bootstraptoken.Command
	if co.printJoinCommand {
		if join, err = bootstraptoken.ForKubeconfig(path); err != nil {
			return fmt.Errorf("build the join command: %w", err)
		}
		join.Program = cmd.Root().Name()
		join.Token = cfg.BootstrapTokens[0].Token.Token()
		join.ControlPlane = co.certificateKey != ""
		join.CertificateKey = co.certificateKey
	}

	var w objects.Writer = objects.DryRun{}
	if !o.dryRun {
		client, err := o.connect(path)
		if err != nil {
			return err
		}
		w = &objects.Client{Clientset: client, Policy: objects.Policy{Timeout: cfg.Timeouts.KubernetesAPICall.Duration}}
	}
	if err := bootstraptoken.Create(cmd.Context(), w, cfg.BootstrapTokens, time.Now()); err != nil {
		return err
	}
	if !co.printJoinCommand {
		fmt.Fprintln(s.Out, cfg.BootstrapTokens[0].Token.Token())
		return nil
	}
	// One line, as kubeadm prints it here, so that scripts can run it.
	line := strings.ReplaceAll(join.String(), "\\\n", "")
	fmt.Fprintln(s.Out, strings.ReplaceAll(line, "\t", ""))
	return nil
}

// tokenCreateConfig is the InitConfiguration whose bootstrapTokens `token
// create` makes: those of --config, if given, with the [token] argument and
// the token flags set on the command line applied to the first; missing
// values generated, defaults applied and every token checked.
func tokenCreateConfig(cmd *cobra.Command, s IOStreams, co *tokenCreateOptions, tok *config.BootstrapTokenString) (*config.InitConfiguration, error) {
	fs := cmd.Flags()
	cfg := &config.InitConfiguration{}
	ov := &overrides{flags: fs}
	if co.cfgPath != "" {
		docs, err := loadConfig(cmd.Root().Name(), co.cfgPath)
		if err != nil {
			return nil, err
		}
		if docs.Init != nil {
			cfg = docs.Init
		}
		ov.source = co.cfgPath
	}
	if len(cfg.BootstrapTokens) == 0 {
		cfg.BootstrapTokens = []config.BootstrapToken{{}}
	}
	bt := &cfg.BootstrapTokens[0]
	if tok != nil {
		if ov.source != "" && bt.Token != nil && bt.Token.ID != "" && bt.Token.Token() != tok.Token() {
			ov.notes = append(ov.notes, "the [token] argument overrides bootstrapTokens[0].token")
		}
		bt.Token = tok
	}
	if fs.Changed(options.TTL) {
		// --ttl replaces the file's lifetime, whichever way it was given.
		bt.Expires = nil
	}
	setField(ov, options.TTL, "bootstrapTokens[0].ttl", &bt.TTL, &metav1.Duration{Duration: co.ttl})
	setField(ov, options.TokenUsages, "bootstrapTokens[0].usages", &bt.Usages, co.usages)
	setField(ov, options.TokenGroups, "bootstrapTokens[0].groups", &bt.Groups, co.groups)
	setField(ov, options.TokenDescription, "bootstrapTokens[0].description", &bt.Description, co.description)
	for _, n := range ov.notes {
		fmt.Fprintf(s.ErrOut, "[config] %s from %s\n", n, ov.source)
	}
	if err := bootstraptoken.Generate(cfg.BootstrapTokens); err != nil {
		return nil, err
	}
	config.SetInitDefaults(cfg)
	if err := config.ValidateBootstrapTokens(cfg.BootstrapTokens); err != nil {
		return nil, ov.nameFlags(err)
	}
	return cfg, nil
}

func newTokenDeleteCmd(s IOStreams, o *tokenOptions) *cobra.Command {
	return &cobra.Command{
		Use:                   "delete [token-value] ...",
		DisableFlagsInUseLine: true,
		Short:                 "Delete bootstrap tokens on the server",
		Long: `This command will delete a list of bootstrap tokens for you.

The [token-value] is the full Token of the form "[a-z0-9]{6}.[a-z0-9]{16}" or the
Token ID of the form "[a-z0-9]{6}" to delete.
`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("missing argument; 'token delete' is missing token of form %q or %q", bootstraptoken.TokenForm, bootstraptoken.IDForm)
			}
			ids, err := bootstraptoken.IDs(args)
			if err != nil {
				return &usageError{err}
			}
			if o.dryRun {
				for _, id := range ids {
					ref := objects.Ref{Kind: "Secret", Namespace: metav1.NamespaceSystem, Name: bootstraptoken.SecretName(id)}
					fmt.Fprintf(s.Out, "[dryrun] Would delete %s\n", ref)
				}
				return nil
			}
			client, err := o.connect(o.kubeconfigPath())
			if err != nil {
				return err
			}
			for _, id := range ids {
				err := bootstraptoken.Delete(cmd.Context(), client, objects.Policy{Timeout: o.timeout}, id)
				if apierrors.IsNotFound(err) {
					return fmt.Errorf("%w: see '%s token list'", err, cmd.Root().Name())
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(s.Out, "bootstrap token %q deleted\n", id)
			}
			return nil
		},
	}
}

// tokenObject is kubeadm's output BootstrapToken, with the secret left out:
// a listing names tokens, it does not hand them out.
type tokenObject struct {
	Kind        string       `json:"kind"`
	APIVersion  string       `json:"apiVersion"`
	Token       string       `json:"token"`
	Description string       `json:"description,omitempty"`
	Expires     *metav1.Time `json:"expires,omitempty"`
	Usages      []string     `json:"usages,omitempty"`
	Groups      []string     `json:"groups,omitempty"`
}

// redactedToken names a token by ID in the form of a token.
func redactedToken(id string) string {
	return config.BootstrapTokenString{ID: id}.String()
}

func newTokenListCmd(s IOStreams, o *tokenOptions) *cobra.Command {
	var output printFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List bootstrap tokens on the server",
		Long: `This command will list all bootstrap tokens for you.

The secret part of each token is not shown: delete a token by its ID and
create a new one when you need its value.
`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pr, err := output.printer()
			if err != nil {
				return err
			}
			client, err := o.connect(o.kubeconfigPath())
			if err != nil {
				return err
			}
			infos, problems, err := bootstraptoken.List(cmd.Context(), client, objects.Policy{Timeout: o.timeout})
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintln(s.ErrOut, p)
			}
			if output.text() {
				pr = nil
			}
			return printTokens(s.Out, pr, infos, time.Now())
		},
	}
	addPrintFlags(cmd.Flags(), &output)
	return cmd
}

// printTokens prints the table, or, with a printer, kubeadm's output
// objects.
func printTokens(w io.Writer, pr *printer, infos []bootstraptoken.Info, now time.Time) error {
	for i, info := range infos {
		if pr == nil {
			if err := printTokenRow(w, info, now, i == 0); err != nil {
				return err
			}
			continue
		}
		obj := tokenObject{
			Kind: "BootstrapToken", APIVersion: outputAPIVersion,
			Token: redactedToken(info.ID), Description: info.Description,
			Usages: info.Usages, Groups: info.Groups,
		}
		if info.Expires != nil {
			obj.Expires = &metav1.Time{Time: *info.Expires}
		}
		if err := pr.print(w, obj, i == 0); err != nil {
			return err
		}
	}
	return nil
}

// printTokenRow writes one row of kubeadm's token table, the header before
// the first. Like kubeadm it aligns each row on its own, so the fixed widths
// of the TTL, USAGES and DESCRIPTION cells are what keeps the columns in line.
func printTokenRow(w io.Writer, info bootstraptoken.Info, now time.Time, header bool) error {
	tw := tabwriter.NewWriter(w, 10, 4, 3, ' ', 0)
	if header {
		fmt.Fprintln(tw, "TOKEN\tTTL\tEXPIRES\tUSAGES\tDESCRIPTION\tEXTRA GROUPS")
	}
	ttl, expires := "<forever>", "<never>"
	if info.Expires != nil {
		// An expired token shows "<invalid>" until the token cleaner removes it.
		ttl = duration.ShortHumanDuration(info.Expires.Sub(now))
		expires = info.Expires.Format(time.RFC3339)
	}
	fmt.Fprintf(tw, "%s\t%-9s\t%s\t%-22s\t%-56s\t%s\n", redactedToken(info.ID), ttl, expires,
		orNone(strings.Join(info.Usages, ",")), orNone(info.Description), orNone(strings.Join(info.Groups, ",")))
	return tw.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
