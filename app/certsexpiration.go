package app

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/kadm-project/kadm/node/certs"
)

func newCheckExpirationCmd(s IOStreams, env certsEnv) *cobra.Command {
	var f clusterFlags
	var pf printFlags
	cmd := &cobra.Command{
		Use:   "check-expiration",
		Short: "Check certificates expiration for a Kubernetes cluster",
		Long:  "Checks expiration for the certificates in the local PKI managed by kubeadm.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pr, err := pf.printer()
			if err != nil {
				return err
			}
			// Only the report may reach stdout when it is for a program.
			cluster, err := env.cluster(cmd, s, &f, "check-expiration", !pf.text())
			if err != nil {
				return err
			}
			report, err := certs.CheckExpiration(cluster, env.kubeconfigDir)
			if err != nil {
				return err
			}
			now := time.Now()
			if pf.text() {
				return printExpirationTables(s.Out, report, now)
			}
			return pr.print(s.Out, expirationObject(report, now), true)
		},
	}
	f.add(cmd.Flags())
	addPrintFlags(cmd.Flags(), &pf)
	return cmd
}

// printExpirationTables writes kubeadm's two tables: certificates (with the
// kubeconfig files) and certificate authorities.
func printExpirationTables(w io.Writer, r certs.ExpirationReport, now time.Time) error {
	tw := tabwriter.NewWriter(w, 10, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "CERTIFICATE\tEXPIRES\tRESIDUAL TIME\tCERTIFICATE AUTHORITY\tEXTERNALLY MANAGED")
	for _, c := range r.Certificates {
		if c.Missing {
			fmt.Fprintf(tw, "!MISSING! %s\t\t\t\t\n", c.Name)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%-8v\n", c.Name, expiresText(c), duration.HumanDuration(residual(c, now)), c.CAName, yesNo(c.ExternallyManaged))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "CERTIFICATE AUTHORITY\tEXPIRES\tRESIDUAL TIME\tEXTERNALLY MANAGED")
	for _, c := range r.CAs {
		if c.Missing {
			fmt.Fprintf(tw, "!MISSING! %s\t\t\t\n", c.Name)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%-8v\n", c.Name, expiresText(c), duration.HumanDuration(residual(c, now)), yesNo(c.ExternallyManaged))
	}
	return tw.Flush()
}

// residual is counted in whole seconds, as kubeadm reports it.
func residual(c certs.Expiration, now time.Time) time.Duration {
	return c.Residual(now).Truncate(time.Second)
}

func expiresText(c certs.Expiration) string {
	return c.NotAfter.UTC().Format("Jan 02, 2006 15:04 MST")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// expirationInfo and expiringCert are kubeadm's CertificateExpirationInfo
// and Certificate output objects.
type expirationInfo struct {
	Kind                   string         `json:"kind"`
	APIVersion             string         `json:"apiVersion"`
	Certificates           []expiringCert `json:"certificates"`
	CertificateAuthorities []expiringCert `json:"certificateAuthorities"`
}

type expiringCert struct {
	Name                string      `json:"name"`
	ExpirationDate      metav1.Time `json:"expirationDate"`
	ResidualTimeSeconds int64       `json:"residualTime"`
	ExternallyManaged   bool        `json:"externallyManaged"`
	CAName              string      `json:"caName,omitempty"`
	Missing             bool        `json:"missing"`
}

func expirationObject(r certs.ExpirationReport, now time.Time) expirationInfo {
	convert := func(list []certs.Expiration) []expiringCert {
		out := make([]expiringCert, 0, len(list))
		for _, c := range list {
			e := expiringCert{Name: c.Name, CAName: c.CAName, ExternallyManaged: c.ExternallyManaged, Missing: c.Missing}
			if !c.Missing {
				e.ExpirationDate = metav1.Time{Time: c.NotAfter.UTC()}
				e.ResidualTimeSeconds = int64(c.Residual(now) / time.Second)
			}
			out = append(out, e)
		}
		return out
	}
	return expirationInfo{
		Kind: "CertificateExpirationInfo", APIVersion: outputAPIVersion,
		Certificates: convert(r.Certificates), CertificateAuthorities: convert(r.CAs),
	}
}
