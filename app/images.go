package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/cri"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases/options"
)

// imagesOptions are the flags of `config images list` and `pull`: those
// that decide which images a control plane runs, and the runtime's socket.
type imagesOptions struct {
	cfgPath           string
	kubernetesVersion string
	imageRepository   string
	featureGates      string
	criSocket         string
}

// addImagesFlags adds kubeadm's flags that choose the images.
func addImagesFlags(f *pflag.FlagSet, o *imagesOptions) {
	f.StringVar(&o.cfgPath, options.Config, "", options.HelpConfig)
	addFeatureGatesFlag(f, &o.featureGates)
	addImageRepositoryFlag(f, &o.imageRepository)
	addKubernetesVersionFlag(f, &o.kubernetesVersion)
}

func newConfigImagesCmd(s IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "images",
		Short: "Interact with container images used by kubeadm",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newConfigImagesListCmd(s), newConfigImagesPullCmd(s, machine.Real))
	cmd.RunE = requireSubcommand
	return cmd
}

func newConfigImagesListCmd(s IOStreams) *cobra.Command {
	o := &imagesOptions{}
	var output printFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Print a list of images kubeadm will use. The configuration file is used in case any images or image repositories are customized",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pr, err := output.printer()
			if err != nil {
				return err
			}
			// What the flags replaced goes to stderr: stdout is the list,
			// which scripts read.
			ctx := progress.WithSink(cmd.Context(), func(m string) { fmt.Fprint(s.ErrOut, m) })
			_, cluster, err := o.load(ctx, cmd.Root().Name(), cmd.Flags())
			if err != nil {
				return err
			}
			images := config.Images(cluster)
			if output.text() {
				_, err := fmt.Fprintln(s.Out, strings.Join(images, "\n"))
				return err
			}
			return pr.print(s.Out, imagesObject{Kind: "Images", APIVersion: outputAPIVersion, Images: images}, true)
		},
	}
	addPrintFlags(cmd.Flags(), &output)
	addImagesFlags(cmd.Flags(), o)
	return cmd
}

// imagesObject is kubeadm's output.kubeadm.k8s.io/v1alpha3 Images.
type imagesObject struct {
	Kind       string   `json:"kind"`
	APIVersion string   `json:"apiVersion"`
	Images     []string `json:"images"`
}

// newConfigImagesPullCmd makes `config images pull`; host is the machine
// whose runtime pulls, replaced in tests.
func newConfigImagesPullCmd(s IOStreams, host func() machine.Host) *cobra.Command {
	o := &imagesOptions{}
	cmd := &cobra.Command{
		Use:   "pull",
		Short: "Pull images used by kubeadm",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			initCfg, cluster, err := o.load(ctx, cmd.Root().Name(), cmd.Flags())
			if err != nil {
				return err
			}
			if err := nodeHostDefaults(&initCfg.NodeRegistration); err != nil {
				return err
			}
			return pullImages(ctx, host(), initCfg.NodeRegistration.CRISocket, config.Images(cluster))
		},
	}
	addImagesFlags(cmd.Flags(), o)
	cmd.Flags().StringVar(&o.criSocket, options.CRISocket, "", options.HelpCRISocket)
	return cmd
}

// pullImages pulls each image in turn, whether the runtime has it or not,
// as kubeadm does, and reports each; it stops at the first that fails.
func pullImages(ctx context.Context, h machine.Host, socket string, images []string) error {
	rt, err := h.CRI(ctx, socket)
	if err != nil {
		return fmt.Errorf("%w; is the container runtime running? If it listens elsewhere, give its endpoint with --%s", err, options.CRISocket)
	}
	defer rt.Close()
	for _, image := range images {
		if err := cri.Pull(ctx, rt, image); err != nil {
			return fmt.Errorf("%w; check that this node reaches the registry, or choose one it reaches with --%s (imageRepository)", err, options.ImageRepository)
		}
		progress.Printf(ctx, "[config/images] Pulled %s\n", image)
	}
	return nil
}

// load builds the Init and Cluster configurations the images come from:
// --config, with the flags given on top of it (the flag wins, and what it
// replaced is reported), defaulted and validated.
func (o *imagesOptions) load(ctx context.Context, program string, fs *pflag.FlagSet) (*config.InitConfiguration, *config.ClusterConfiguration, error) {
	initCfg, cluster := &config.InitConfiguration{}, &config.ClusterConfiguration{}
	ov := &overrides{flags: fs}
	if o.cfgPath != "" {
		docs, err := loadInitDocuments(program, o.cfgPath)
		if err != nil {
			return nil, nil, err
		}
		if docs.Init != nil {
			initCfg = docs.Init
		}
		if docs.Cluster != nil {
			cluster = docs.Cluster
		}
		ov.source = o.cfgPath
	}
	setField(ov, options.KubernetesVersion, "kubernetesVersion", &cluster.KubernetesVersion, o.kubernetesVersion)
	setField(ov, options.ImageRepository, "imageRepository", &cluster.ImageRepository, o.imageRepository)
	if fs.Changed(options.FeatureGates) {
		gates, err := parseFeatureGates(o.featureGates)
		if err != nil {
			return nil, nil, err
		}
		setField(ov, options.FeatureGates, "featureGates", &cluster.FeatureGates, gates)
	}
	if fs.Lookup(options.CRISocket) != nil {
		setField(ov, options.CRISocket, "nodeRegistration.criSocket", &initCfg.NodeRegistration.CRISocket, o.criSocket)
	}
	ov.report(ctx)
	config.SetInitDefaults(initCfg)
	config.SetClusterDefaults(cluster)
	if err := config.ValidateCluster(cluster); err != nil {
		return nil, nil, err
	}
	return initCfg, cluster, nil
}
