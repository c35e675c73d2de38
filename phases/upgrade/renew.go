package upgradephases

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/certs"
	"github.com/kadm-project/kadm/node/controlplane"
)

// componentCerts are the certificates kubeadm renews with each component it upgrades,
// by their `certs renew` names.
func componentCerts(component string, localEtcd bool) []string {
	switch component {
	case etcdName:
		return []string{"etcd-server", "etcd-peer", "etcd-healthcheck-client"}
	case controlplane.KubeAPIServer:
		names := []string{"apiserver", "apiserver-kubelet-client", "front-proxy-client"}
		if localEtcd {
			names = append(names, "apiserver-etcd-client")
		}
		return names
	case controlplane.KubeControllerManager:
		return []string{kubeconfig.ControllerManagerFile}
	case controlplane.KubeScheduler:
		return []string{kubeconfig.SchedulerFile}
	}
	return nil
}

// renewFor is the renewal Replace runs for component; nil with --certificate-renewal=false.
func renewFor(ctx context.Context, d Data, component string) func() (bool, error) {
	if !d.RenewCerts() {
		return nil
	}
	return func() (bool, error) {
		renewedAny := false
		for _, name := range componentCerts(component, d.Cluster().Etcd.Local != nil) {
			renewed, err := renew(ctx, d, name)
			if err != nil {
				return false, err
			}
			renewedAny = renewedAny || renewed
		}
		return renewedAny, nil
	}
}

// renew renews the certificate called name as `certs renew <name>` does (certs.Renew),
// with the CAs on this node; false when its CA's key is not here (an external CA).
func renew(ctx context.Context, d Data, name string) (bool, error) {
	cluster := d.Cluster()
	var r certs.Renewal
	for _, c := range certs.Renewals(cluster) {
		if c.Name == name {
			r = c
		}
	}
	if r.Name == "" {
		return false, fmt.Errorf("%s is not a certificate of this cluster", name)
	}
	progress.Printf(ctx, "[upgrade/staticpods] Renewing %s certificate\n", name)
	res, err := certs.Renew(ctx, cluster, d.KubernetesDir(), r, nil)
	if err != nil {
		return false, err
	}
	switch res {
	case certs.RenewMissing:
		return false, fmt.Errorf("renew the %s: %s does not exist: restore it, or upgrade with --certificate-renewal=false",
			r.LongName, r.Path(cluster.CertificatesDir, d.KubernetesDir()))
	case certs.RenewExternalCA:
		progress.Printf(ctx, "[upgrade/staticpods] External CA detected, %s certificate can't be renewed\n", name)
		return false, nil
	}
	return true, nil
}

// renewAdminConfs renews admin.conf, and super-admin.conf where it is, as kubeadm does at
// the end of a control-plane upgrade.
func renewAdminConfs(ctx context.Context, d Data) error {
	for _, name := range []string{kubeconfig.AdminFile, kubeconfig.SuperAdminFile} {
		if name == kubeconfig.SuperAdminFile {
			if _, err := os.Stat(filepath.Join(d.KubernetesDir(), name)); err != nil {
				continue
			}
		}
		if _, err := renew(ctx, d, name); err != nil {
			return fmt.Errorf("failed to upgrade the %s certificates: %w", name, err)
		}
	}
	return nil
}
