//go:build e2e

package e2e

import (
	"crypto/x509"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// certExpectation is what kubeadm v1.37 issues for one certificate.
type certExpectation struct {
	name   string // path under the certificate directory, without ".crt"
	ca     string // the issuing CA's name; empty for a self-signed CA
	cn     string
	org    []string
	dns    []string
	ips    []string
	usages []x509.ExtKeyUsage
}

// expectedCertificates lists every certificate of a stacked control plane
// with a local etcd and the default service subnet and DNS domain;
// endpointIP is the controlPlaneEndpoint's address when it is another one
// than ip.
func expectedCertificates(node, ip, endpointIP string) []certExpectation {
	server := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	both := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	etcdDNS := []string{node, "localhost"}
	etcdIPs := []string{ip, "127.0.0.1", "::1"}
	apiserverIPs := []string{"10.96.0.1", ip}
	if endpointIP != "" && endpointIP != ip {
		apiserverIPs = append(apiserverIPs, endpointIP)
	}
	return []certExpectation{
		{name: "ca", cn: "kubernetes"},
		{name: "apiserver", ca: "ca", cn: "kube-apiserver", usages: server,
			dns: []string{node, "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
			ips: apiserverIPs},
		{name: "apiserver-kubelet-client", ca: "ca", cn: "kube-apiserver-kubelet-client", usages: client},
		{name: "front-proxy-ca", cn: "front-proxy-ca"},
		{name: "front-proxy-client", ca: "front-proxy-ca", cn: "front-proxy-client", usages: client},
		{name: "etcd/ca", cn: "etcd-ca"},
		{name: "etcd/server", ca: "etcd/ca", cn: node, usages: both, dns: etcdDNS, ips: etcdIPs},
		{name: "etcd/peer", ca: "etcd/ca", cn: node, usages: both, dns: etcdDNS, ips: etcdIPs},
		{name: "etcd/healthcheck-client", ca: "etcd/ca", cn: "kube-etcd-healthcheck-client", usages: client},
		{name: "apiserver-etcd-client", ca: "etcd/ca", cn: "kube-apiserver-etcd-client", usages: client},
	}
}

// kubeconfigExpectation is the client identity kubeadm puts in a kubeconfig.
type kubeconfigExpectation struct {
	file string
	cn   string
	org  []string
}

// expectedKubeconfigs lists the kubeconfig files of a control-plane node;
// super-admin.conf only on the node init made.
func expectedKubeconfigs(node string, joined bool) []kubeconfigExpectation {
	files := []kubeconfigExpectation{
		{file: "admin.conf", cn: "kubernetes-admin", org: []string{"kubeadm:cluster-admins"}},
		{file: "super-admin.conf", cn: "kubernetes-super-admin", org: []string{"system:masters"}},
		{file: "controller-manager.conf", cn: "system:kube-controller-manager"},
		{file: "scheduler.conf", cn: "system:kube-scheduler"},
		{file: "kubelet.conf", cn: "system:node:" + node, org: []string{"system:nodes"}},
	}
	if joined {
		files = slices.DeleteFunc(files, func(k kubeconfigExpectation) bool { return k.file == "super-admin.conf" })
	}
	return files
}

// controlPlaneHost is what decides a control-plane node's certificates: the
// controlPlaneEndpoint's address ("" when none) and whether the node joined
// (or was made by init).
type controlPlaneHost struct {
	endpointIP string
	joined     bool
}

// checkCertificates checks every certificate and key an init or a
// control-plane join leaves in /etc/kubernetes/pki and the client
// certificates of its kubeconfigs.
func checkCertificates(t *testing.T, h *framework.Host, cp controlPlaneHost) {
	t.Helper()
	pki := h.Path("/etc/kubernetes/pki")
	certs := map[string]*x509.Certificate{}
	expected := expectedCertificates(h.Name, h.IP.String(), cp.endpointIP)
	for _, e := range expected {
		path := filepath.Join(pki, e.name+".crt")
		c, err := certutil.CertsFromFile(path)
		if err != nil {
			t.Errorf("%s: %v", e.name, err)
			continue
		}
		certs[e.name] = c[0]
	}
	for _, e := range expected {
		c, ok := certs[e.name]
		if !ok {
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			checkCertificate(t, e, c, certs[e.ca])
			checkMode(t, filepath.Join(pki, e.name+".crt"), 0o644)
			checkMode(t, filepath.Join(pki, e.name+".key"), 0o600)
		})
	}
	t.Run("sa", func(t *testing.T) {
		// kubeadm writes the public key with the private key's mode.
		checkMode(t, filepath.Join(pki, "sa.key"), 0o600)
		checkMode(t, filepath.Join(pki, "sa.pub"), 0o600)
	})
	t.Run("no other certificates or keys", func(t *testing.T) {
		want := []string{"sa.key", "sa.pub"}
		for _, e := range expected {
			want = append(want, e.name+".crt", e.name+".key")
		}
		var got []string
		err := filepath.WalkDir(pki, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(pki, path)
				got = append(got, rel)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("files in %s:\n got %q\nwant %q", pki, got, want)
		}
	})
	for _, k := range expectedKubeconfigs(h.Name, cp.joined) {
		t.Run(k.file, func(t *testing.T) {
			path := h.Path(filepath.Join("/etc/kubernetes", k.file))
			checkMode(t, path, 0o600)
			cfg, err := clientcmd.LoadFromFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ctx, ok := cfg.Contexts[cfg.CurrentContext]
			if !ok {
				t.Fatalf("no current context %q", cfg.CurrentContext)
			}
			auth, ok := cfg.AuthInfos[ctx.AuthInfo]
			if !ok {
				t.Fatalf("no user %q", ctx.AuthInfo)
			}
			certPEM := auth.ClientCertificateData
			if len(certPEM) == 0 {
				// kubelet.conf points at the kubelet's rotating pair once
				// kubelet-finalize ran.
				if certPEM, err = h.ReadFile(auth.ClientCertificate); err != nil {
					t.Fatal(err)
				}
			}
			c, err := certutil.ParseCertsPEM(certPEM)
			if err != nil {
				t.Fatal(err)
			}
			e := certExpectation{name: k.file, ca: "ca", cn: k.cn, org: k.org, usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
			checkCertificate(t, e, c[0], certs["ca"])
		})
	}
}

func checkCertificate(t *testing.T, e certExpectation, c, ca *x509.Certificate) {
	t.Helper()
	if c.Subject.CommonName != e.cn {
		t.Errorf("CN = %q, want %q", c.Subject.CommonName, e.cn)
	}
	if !slices.Equal(c.Subject.Organization, e.org) {
		t.Errorf("O = %q, want %q", c.Subject.Organization, e.org)
	}
	if e.ca == "" {
		if !c.IsCA || c.KeyUsage&x509.KeyUsageCertSign == 0 {
			t.Errorf("not a CA: IsCA %t, key usage %b", c.IsCA, c.KeyUsage)
		}
		if err := c.CheckSignatureFrom(c); err != nil {
			t.Errorf("not self-signed: %v", err)
		}
		return
	}
	if ca == nil {
		t.Fatalf("no CA %s to check against", e.ca)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := c.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: e.usages}); err != nil {
		t.Errorf("does not chain to %s for %v: %v", e.ca, e.usages, err)
	}
	if c.IsCA {
		t.Error("a leaf certificate is a CA")
	}
	if c.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		t.Errorf("key usage %b lacks digital signature", c.KeyUsage)
	}
	if got := sortedExtUsages(c.ExtKeyUsage); !slices.Equal(got, sortedExtUsages(e.usages)) {
		t.Errorf("extended key usages %v, want %v", got, e.usages)
	}
	if !sameSet(c.DNSNames, e.dns) {
		t.Errorf("DNS SANs %q, want %q", c.DNSNames, e.dns)
	}
	var ips []string
	for _, ip := range c.IPAddresses {
		ips = append(ips, ip.String())
	}
	var wantIPs []string
	for _, ip := range e.ips {
		wantIPs = append(wantIPs, net.ParseIP(ip).String())
	}
	if !sameSet(ips, wantIPs) {
		t.Errorf("IP SANs %q, want %q", ips, wantIPs)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s has mode %04o, want %04o", path, fi.Mode().Perm(), want)
	}
}

func sortedExtUsages(u []x509.ExtKeyUsage) []x509.ExtKeyUsage {
	out := slices.Clone(u)
	slices.Sort(out)
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}
