package certs

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/pkiutil"
)

// Expiration is one line of `certs check-expiration`.
type Expiration struct {
	// Name is the certificate's name ("apiserver") or, for a client
	// certificate embedded in a kubeconfig file, the file's ("admin.conf").
	Name string
	// CAName is the Name of the CA that signed it; empty for a CA.
	CAName string
	// NotAfter is when it expires; zero when Missing.
	NotAfter time.Time
	// ExternallyManaged is set when the signing CA's key is not on this
	// node (an external CA), so that the certificate cannot be renewed here.
	ExternallyManaged bool
	Missing           bool
}

// Residual is the time left until e expires, negative once it has.
func (e Expiration) Residual(now time.Time) time.Duration { return e.NotAfter.Sub(now) }

// ExpirationReport is what `certs check-expiration` shows, each list sorted
// by name as kubeadm sorts it.
type ExpirationReport struct {
	Certificates []Expiration
	CAs          []Expiration
}

// clientKubeconfigs are the kubeconfig files whose embedded client
// certificate the cluster CA signs and kubeadm renews. kubelet.conf is not
// among them: the kubelet rotates its own certificate.
var clientKubeconfigs = []string{kubeconfig.AdminFile, kubeconfig.SuperAdminFile, kubeconfig.ControllerManagerFile, kubeconfig.SchedulerFile}

// CheckExpiration reads every certificate of cluster's tree from
// cluster.CertificatesDir (without etcd's when etcd is external) and the
// client certificates of the kubeconfig files in kubeconfigDir. A file that
// does not exist is reported Missing; one that exists and cannot be read is
// an error naming it.
func CheckExpiration(cluster *config.ClusterConfiguration, kubeconfigDir string) (ExpirationReport, error) {
	dir := cluster.CertificatesDir
	var r ExpirationReport
	external := map[string]bool{}
	for _, c := range ForCluster(cluster) {
		if c.IsCA() {
			external[c.Name] = exists(certFile(dir, c)) && !exists(keyFile(dir, c))
		}
	}
	for _, c := range ForCluster(cluster) {
		e := Expiration{Name: c.Name, CAName: c.CAName, ExternallyManaged: external[c.Name]}
		if !c.IsCA() {
			e.ExternallyManaged = external[c.CAName]
		}
		cert, err := pkiutil.LoadCert(dir, c.BaseName)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			e = Expiration{Name: c.Name, Missing: true}
		case err != nil:
			return ExpirationReport{}, fmt.Errorf("check the expiration of %s: %w", certFile(dir, c), err)
		default:
			e.NotAfter = cert.NotAfter
		}
		if c.IsCA() {
			r.CAs = append(r.CAs, e)
		} else {
			r.Certificates = append(r.Certificates, e)
		}
	}
	for _, name := range clientKubeconfigs {
		e := Expiration{Name: name, CAName: "ca", ExternallyManaged: external["ca"]}
		cert, err := kubeconfigClientCert(filepath.Join(kubeconfigDir, name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			e = Expiration{Name: name, Missing: true}
		case err != nil:
			return ExpirationReport{}, fmt.Errorf("check the expiration of %s: %w", filepath.Join(kubeconfigDir, name), err)
		default:
			e.NotAfter = cert.NotAfter
		}
		r.Certificates = append(r.Certificates, e)
	}
	byName := func(a, b Expiration) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(r.Certificates, byName)
	slices.SortFunc(r.CAs, byName)
	return r, nil
}

// kubeconfigClientCert is the client certificate embedded for the user of
// the current context of the kubeconfig at path.
func kubeconfigClientCert(path string) (*x509.Certificate, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	cfg, err := kubeconfig.Load(path)
	if err != nil {
		return nil, err
	}
	_, user, err := kubeconfig.Current(cfg)
	if err != nil {
		return nil, err
	}
	if user == nil || len(user.ClientCertificateData) == 0 {
		return nil, errors.New("the user of the current context has no embedded client certificate (client-certificate-data)")
	}
	certs, err := certutil.ParseCertsPEM(user.ClientCertificateData)
	if err != nil {
		return nil, fmt.Errorf("parse client-certificate-data: %w", err)
	}
	return certs[0], nil
}
