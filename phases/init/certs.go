package initphases

import (
	"context"
	"fmt"
	"strings"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/certs"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func certsPhase() workflow.Phase[Data] {
	flags := []string{options.CertificatesDir, options.Config, options.KubernetesVersion, options.DryRun}
	apiserverFlags := append(flags[:len(flags):len(flags)], options.APIServerAdvertiseAddress, options.ControlPlaneEndpoint,
		options.APIServerCertSANs, options.ServiceDNSDomain, options.ServiceCIDR)
	p := workflow.Phase[Data]{
		Name:    "certs",
		Short:   "Certificate generation",
		WithAll: true,
		Run:     runCerts,
		Prepare: warmCertKeys,
	}
	for _, c := range certs.All() {
		inherit := flags
		if c.Name == "apiserver" {
			inherit = apiserverFlags
		}
		p.Phases = append(p.Phases, workflow.Phase[Data]{
			Name:         c.Name,
			Short:        "Generate the " + c.LongName,
			Long:         certLong(c),
			Run:          runCert(c),
			InheritFlags: inherit,
		})
	}
	p.Phases = append(p.Phases, workflow.Phase[Data]{
		Name:         "sa",
		Short:        "Generate a private key for signing service account tokens along with its public key",
		Long:         "Generate the private key for signing service account tokens along with its public key, and save them into sa.key and sa.pub files.\n\nIf both files already exist, kubeadm skips the generation step and existing files will be used.",
		Run:          runServiceAccount,
		InheritFlags: []string{options.CertificatesDir, options.Config, options.KubernetesVersion, options.DryRun},
	})
	return p
}

func certLong(c certs.Cert) string {
	var sans string
	if s := certs.DefaultSANs(c); len(s) > 0 {
		sans = "\n\nDefault SANs are " + strings.Join(s, ", ")
	}
	return fmt.Sprintf("Generate the %s, and save them into %s.crt and %s.key files.%s\n\nIf both files already exist, kubeadm skips the generation step and existing files will be used.",
		c.LongName, c.BaseName, c.BaseName, sans)
}

func runCerts(ctx context.Context, d Data) error {
	progress.Printf(ctx, "[certs] Using certificateDir folder %q\n", d.CertificatesDir())
	return nil
}

// warmCertKeys starts generating, as the run starts and on every core, the
// keys the certs phase's children will need, so that `certs all` is not one
// key generation after another and its first keys are made while preflight
// runs.
func warmCertKeys(ctx context.Context, d Data) {
	list := certs.ForCluster(d.ClusterCfg())
	d.Keys().Warm(ctx, d.ClusterCfg().EncryptionAlgorithm, certs.KeysToGenerate(certTree(d), list, true))
}

func runCert(c certs.Cert) func(context.Context, Data) error {
	return func(ctx context.Context, d Data) error {
		if c.Etcd() && d.ClusterCfg().Etcd.External != nil {
			what := "certificate"
			if c.IsCA() {
				what = "certificate authority"
			}
			progress.Printf(ctx, "[certs] External etcd mode: Skipping %s %s generation\n", c.BaseName, what)
			return nil
		}
		spec, err := certs.NewSpec(c, certs.InitNode(d.Cfg()), d.ClusterCfg())
		if err != nil {
			return err
		}
		res, err := certs.Create(ctx, certTree(d), spec, d.Keys())
		if err != nil {
			return err
		}
		phases.ReportCert(ctx, c, res)
		return nil
	}
}

func runServiceAccount(ctx context.Context, d Data) error {
	res, err := certs.CreateServiceAccountKey(ctx, certTree(d), d.ClusterCfg().EncryptionAlgorithm, d.Keys())
	if err != nil {
		return err
	}
	switch {
	case res.Action == certs.Generated:
		progress.Printf(ctx, "[certs] Generating %q key and public key\n", certs.ServiceAccountBaseName)
	case d.ExternalCA():
		progress.Printf(ctx, "[certs] Using existing %s keys\n", certs.ServiceAccountBaseName)
	default:
		progress.Printf(ctx, "[certs] Using the existing %q key\n", certs.ServiceAccountBaseName)
	}
	return nil
}

// certTree is where this run's certificates are: on a dry run its own
// directory, over the host's certificate directory, which it only reads.
func certTree(d Data) certs.Tree {
	if !d.DryRun() {
		return certs.At(d.CertificatesDir())
	}
	return certs.DryRun(d.CertificatesDir(), d.ClusterCfg().CertificatesDir)
}
