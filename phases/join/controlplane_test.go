package joinphases

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/cluster/copycerts"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/certs"
	"github.com/kadm-project/kadm/node/controlplane"
	"github.com/kadm-project/kadm/node/staticpod"
)

// A control-plane join of testNode: its API server on cpAddress:cpPort, the
// cluster's behind cpEndpoint.
const (
	cpAddress  = "10.0.0.7"
	cpPort     = 6444
	cpEndpoint = "cp.example.com:6443"
)

// sharedModes are the shared files of a stacked-etcd cluster, relative to
// the certificates directory, with the modes kubeadm gives them.
var sharedModes = map[string]os.FileMode{
	"ca.crt": 0o644, "ca.key": 0o600,
	"front-proxy-ca.crt": 0o644, "front-proxy-ca.key": 0o600,
	"etcd/ca.crt": 0o644, "etcd/ca.key": 0o600,
	"sa.pub": 0o600, "sa.key": 0o600,
}

// controlPlaneJoin is a control-plane join whose certificates directory is
// d.dir/pki. Keys are ECDSA, which is quick to generate.
func controlPlaneJoin(t *testing.T) *fakeData {
	t.Helper()
	d := newFakeData(t, "127.0.0.1:1")
	d.cfg.ControlPlane = &config.JoinControlPlane{LocalAPIEndpoint: config.APIEndpoint{AdvertiseAddress: cpAddress, BindPort: cpPort}}
	d.state.Cluster.ControlPlaneEndpoint = cpEndpoint
	d.state.Cluster.CertificatesDir = filepath.Join(d.dir, "pki")
	d.state.Cluster.EncryptionAlgorithm = config.EncryptionAlgorithmECDSAP256
	return d
}

// sharedCAs writes the CAs and the service-account key pair of cluster, as
// the first control-plane node holds them, and returns the CA certificates
// by name.
func sharedCAs(t *testing.T, cluster *config.ClusterConfiguration) map[string]*x509.Certificate {
	t.Helper()
	cas := map[string]*x509.Certificate{}
	for _, c := range certs.ForCluster(cluster) {
		if !c.IsCA() {
			continue
		}
		s, err := certs.NewSpec(c, certs.Node{}, cluster)
		if err != nil {
			t.Fatal(err)
		}
		res, err := certs.Create(t.Context(), certs.At(cluster.CertificatesDir), s, nil)
		if err != nil {
			t.Fatal(err)
		}
		cas[c.Name] = res.Certificate
	}
	if _, err := certs.CreateServiceAccountKey(t.Context(), certs.At(cluster.CertificatesDir), cluster.EncryptionAlgorithm, nil); err != nil {
		t.Fatal(err)
	}
	return cas
}

// uploadCerts does what `init phase upload-certs` does on the first node:
// it seals another node's shared files with key and stores them in d's
// cluster. It returns the files' content by path relative to the
// certificates directory.
func uploadCerts(t *testing.T, d *fakeData, key string) map[string][]byte {
	t.Helper()
	first := *d.state.Cluster
	first.CertificatesDir = t.TempDir()
	sharedCAs(t, &first)
	want := map[string][]byte{}
	for rel := range sharedModes {
		data, err := os.ReadFile(filepath.Join(first.CertificatesDir, rel))
		if err != nil {
			t.Fatal(err)
		}
		want[rel] = data
	}
	data, err := copycerts.Bundle(copycerts.Files(first.CertificatesDir, nil), key)
	if err != nil {
		t.Fatal(err)
	}
	w := &objects.Client{Clientset: kubefake.Wrap(d.client), Policy: objects.Policy{Timeout: time.Second, Interval: time.Millisecond}}
	if err := copycerts.Upload(t.Context(), w, data, time.Now()); err != nil {
		t.Fatal(err)
	}
	return want
}

func TestDownloadCerts(t *testing.T) {
	t.Parallel()
	key, err := copycerts.NewCertificateKey()
	if err != nil {
		t.Fatal(err)
	}
	other, err := copycerts.NewCertificateKey()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// key is --certificate-key; upload stores the Secret.
		key     string
		upload  bool
		dryRun  bool
		wantErr error
		wantOut []string
		// written: the shared files are on disk afterwards.
		written bool
	}{
		{name: "no key skips without asking the cluster", upload: true, wantOut: []string{"[download-certs] Skipping certs download"}},
		{name: "key opens the uploaded Secret", key: key, upload: true, written: true,
			wantOut: []string{`[download-certs] Downloading the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace`, "[download-certs] Saved the shared certificates and keys to"}},
		{name: "wrong key", key: other, upload: true, wantErr: copycerts.ErrWrongKey},
		{name: "dry run", key: key, upload: true, dryRun: true, wantOut: []string{`[dryrun] Would write file "PKI/ca.key"`, `[dryrun] Would write file "PKI/etcd/ca.crt"`}},
		{name: "dry run checks the key", key: other, upload: true, dryRun: true, wantErr: copycerts.ErrWrongKey},
		{name: "no Secret", key: key, wantErr: copycerts.ErrSecretNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := controlPlaneJoin(t)
			d.cfg.ControlPlane.CertificateKey = tt.key
			d.cfg.DryRun = tt.dryRun
			var want map[string][]byte
			if tt.upload {
				want = uploadCerts(t, d, key)
			}
			d.client.ClearActions()
			dir := d.state.Cluster.CertificatesDir
			out, err := output(func(ctx context.Context) error { return runDownloadCerts(ctx, d) })
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && (strings.Contains(err.Error(), key) || strings.Contains(err.Error(), other)) {
				t.Errorf("the error shows a certificate key: %v", err)
			}
			out = strings.ReplaceAll(out, dir, "PKI")
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.key == "" && len(d.client.Actions()) > 0 {
				t.Errorf("API calls without a certificate key: %v", d.client.Actions())
			}
			got := files(t, dir)
			if !tt.written {
				if len(got) > 0 {
					t.Errorf("files written: %v", got)
				}
				return
			}
			if !maps.Equal(got, sharedModes) {
				t.Errorf("files = %v, want %v", got, sharedModes)
			}
			for rel, data := range want {
				if have, err := os.ReadFile(filepath.Join(dir, rel)); err != nil || !bytes.Equal(have, data) {
					t.Errorf("%s differs from the uploaded file (%v)", rel, err)
				}
			}
		})
	}
}

// readCert reads the certificate base.crt under dir.
func readCert(t *testing.T, dir, base string) *x509.Certificate {
	t.Helper()
	cs, err := certutil.CertsFromFile(filepath.Join(dir, base+".crt"))
	if err != nil {
		t.Fatal(err)
	}
	return cs[0]
}

func TestControlPlaneCerts(t *testing.T) {
	t.Parallel()
	d := controlPlaneJoin(t)
	cluster := d.state.Cluster
	dir := cluster.CertificatesDir
	cas := sharedCAs(t, cluster)
	before := map[string][]byte{}
	for rel := range sharedModes {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		before[rel] = data
	}
	out, err := output(func(ctx context.Context) error { return runControlPlaneCerts(ctx, d) })
	if err != nil {
		t.Fatalf("runControlPlaneCerts: %v\n%s", err, out)
	}
	want := maps.Clone(sharedModes)
	for _, base := range []string{"apiserver", "apiserver-kubelet-client", "front-proxy-client", "apiserver-etcd-client",
		"etcd/server", "etcd/peer", "etcd/healthcheck-client"} {
		want[base+".crt"], want[base+".key"] = 0o644, 0o600
	}
	if got := files(t, dir); !maps.Equal(got, want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	for rel, data := range before {
		if have, _ := os.ReadFile(filepath.Join(dir, rel)); !bytes.Equal(have, data) {
			t.Errorf("the shared file %s was changed", rel)
		}
	}

	address := net.ParseIP(cpAddress)
	for _, c := range []struct {
		base, ca, cn string
		dns          []string
	}{
		{base: "apiserver", ca: "ca", cn: "kube-apiserver", dns: []string{testNode, "cp.example.com", "kubernetes.default.svc.cluster.local"}},
		{base: "etcd/server", ca: "etcd-ca", cn: testNode, dns: []string{testNode, "localhost"}},
		{base: "etcd/peer", ca: "etcd-ca", cn: testNode, dns: []string{testNode, "localhost"}},
	} {
		crt := readCert(t, dir, c.base)
		if crt.Subject.CommonName != c.cn {
			t.Errorf("%s: common name %q, want %q", c.base, crt.Subject.CommonName, c.cn)
		}
		for _, n := range c.dns {
			if !slices.Contains(crt.DNSNames, n) {
				t.Errorf("%s: DNS names %v lack %q", c.base, crt.DNSNames, n)
			}
		}
		if !slices.ContainsFunc(crt.IPAddresses, address.Equal) {
			t.Errorf("%s: IP addresses %v lack the advertise address %s", c.base, crt.IPAddresses, cpAddress)
		}
		if err := crt.CheckSignatureFrom(cas[c.ca]); err != nil {
			t.Errorf("%s is not signed by the shared %s: %v", c.base, c.ca, err)
		}
	}
	for base, ca := range map[string]string{"apiserver-kubelet-client": "ca", "front-proxy-client": "front-proxy-ca", "apiserver-etcd-client": "etcd-ca", "etcd/healthcheck-client": "etcd-ca"} {
		if err := readCert(t, dir, base).CheckSignatureFrom(cas[ca]); err != nil {
			t.Errorf("%s is not signed by the shared %s: %v", base, ca, err)
		}
	}
}

func TestControlPlaneCertsNeverCreatesCAs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// remove are the shared files taken away before the phase runs.
		remove []string
		dryRun bool
	}{
		{name: "cluster CA missing", remove: []string{"ca.crt", "ca.key"}},
		{name: "etcd CA key missing", remove: []string{"etcd/ca.key"}},
		{name: "service-account key missing", remove: []string{"sa.key", "sa.pub"}},
		{name: "dry run writes nothing", remove: slices.Collect(maps.Keys(sharedModes)), dryRun: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := controlPlaneJoin(t)
			d.cfg.DryRun = tt.dryRun
			dir := d.state.Cluster.CertificatesDir
			sharedCAs(t, d.state.Cluster)
			for _, rel := range tt.remove {
				if err := os.Remove(filepath.Join(dir, rel)); err != nil {
					t.Fatal(err)
				}
			}
			before := files(t, dir)
			out, err := output(func(ctx context.Context) error { return runControlPlaneCerts(ctx, d) })
			if tt.dryRun {
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(out, `[dryrun] Would make certificate "apiserver"`) {
					t.Errorf("output lacks the apiserver certificate:\n%s", out)
				}
			} else {
				if err == nil {
					t.Fatal("runControlPlaneCerts succeeded without the shared files")
				}
				for _, rel := range tt.remove {
					if !strings.Contains(err.Error(), filepath.Join(dir, rel)) {
						t.Errorf("error does not name %s: %v", rel, err)
					}
				}
				if !strings.Contains(err.Error(), "--certificate-key") {
					t.Errorf("error does not say how to get the files: %v", err)
				}
			}
			if got := files(t, dir); !maps.Equal(got, before) {
				t.Errorf("files = %v, want them unchanged: %v", got, before)
			}
		})
	}
}

func TestControlPlaneKubeconfigs(t *testing.T) {
	t.Parallel()
	d := controlPlaneJoin(t)
	ca := sharedCAs(t, d.state.Cluster)["ca"]
	out, err := output(func(ctx context.Context) error { return runControlPlaneKubeconfigs(ctx, d) })
	if err != nil {
		t.Fatalf("runControlPlaneKubeconfigs: %v\n%s", err, out)
	}
	local := "https://" + net.JoinHostPort(cpAddress, strconv.Itoa(cpPort))
	want := map[string]struct{ server, user string }{
		kubeconfig.AdminFile:             {"https://" + cpEndpoint, kubeconfig.AdminUser},
		kubeconfig.ControllerManagerFile: {local, kubeconfig.ControllerManagerUser},
		kubeconfig.SchedulerFile:         {local, kubeconfig.SchedulerUser},
	}
	got := files(t, d.kubeconfigDir)
	if wantFiles := map[string]os.FileMode{kubeconfig.AdminFile: 0o600, kubeconfig.ControllerManagerFile: 0o600, kubeconfig.SchedulerFile: 0o600}; !maps.Equal(got, wantFiles) {
		t.Errorf("files = %v, want %v", got, wantFiles)
	}
	for name, w := range want {
		cfg, err := kubeconfig.Load(filepath.Join(d.kubeconfigDir, name))
		if err != nil {
			t.Fatal(err)
		}
		cluster, user, err := kubeconfig.Current(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if cluster.Server != w.server {
			t.Errorf("%s: server %q, want %q", name, cluster.Server, w.server)
		}
		chain, err := certutil.ParseCertsPEM(user.ClientCertificateData)
		if err != nil {
			t.Fatal(err)
		}
		if chain[0].Subject.CommonName != w.user {
			t.Errorf("%s: user %q, want %q", name, chain[0].Subject.CommonName, w.user)
		}
		if err := chain[0].CheckSignatureFrom(ca); err != nil {
			t.Errorf("%s: client certificate not signed by the shared CA: %v", name, err)
		}
	}
}

func TestControlPlaneKubeconfigsWriteNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(t *testing.T, d *fakeData)
		wantErr bool
		wantOut string
	}{
		{name: "cluster CA missing", wantErr: true, setup: func(t *testing.T, d *fakeData) {
			sharedCAs(t, d.state.Cluster)
			if err := os.Remove(filepath.Join(d.state.Cluster.CertificatesDir, "ca.key")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "dry run", wantOut: `[dryrun] Would write kubeconfig file "ETC/admin.conf" for "kubernetes-admin" (server https://cp.example.com:6443)`, setup: func(t *testing.T, d *fakeData) {
			sharedCAs(t, d.state.Cluster)
			d.cfg.DryRun = true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := controlPlaneJoin(t)
			tt.setup(t, d)
			out, err := output(func(ctx context.Context) error { return runControlPlaneKubeconfigs(ctx, d) })
			if tt.wantErr != (err != nil) {
				t.Fatalf("error = %v, want one: %v", err, tt.wantErr)
			}
			if err != nil && (!errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "--certificate-key")) {
				t.Errorf("error = %v, want a missing file and the way to get it", err)
			}
			if out = strings.ReplaceAll(out, d.kubeconfigDir, "ETC"); !strings.Contains(out, tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out)
			}
			if got := files(t, d.kubeconfigDir); len(got) > 0 {
				t.Errorf("files written: %v", got)
			}
		})
	}
}

func TestControlPlaneManifests(t *testing.T) {
	t.Parallel()
	for _, dryRun := range []bool{false, true} {
		t.Run("dry run "+strconv.FormatBool(dryRun), func(t *testing.T) {
			t.Parallel()
			d := controlPlaneJoin(t)
			d.cfg.DryRun = dryRun
			out, err := output(func(ctx context.Context) error { return runControlPlaneManifests(ctx, d) })
			if err != nil {
				t.Fatalf("runControlPlaneManifests: %v\n%s", err, out)
			}
			got := files(t, d.kubeconfigDir)
			if dryRun {
				if len(got) > 0 {
					t.Errorf("files written on a dry run: %v", got)
				}
				for _, w := range []string{"kube-apiserver.yaml\" with content:", "- --advertise-address=" + cpAddress, "kube-scheduler.yaml\" with content:"} {
					if !strings.Contains(out, w) {
						t.Errorf("output lacks %q:\n%s", w, out)
					}
				}
				return
			}
			want := map[string]os.FileMode{}
			for _, c := range controlplane.Components() {
				want[filepath.Join("manifests", c+".yaml")] = 0o600
			}
			if !maps.Equal(got, want) {
				t.Errorf("files = %v, want %v", got, want)
			}
			pod, err := staticpod.Read(staticpod.Path(d.ManifestDir(), controlplane.KubeAPIServer))
			if err != nil {
				t.Fatal(err)
			}
			cmd := pod.Spec.Containers[0].Command
			for _, w := range []string{"--advertise-address=" + cpAddress, "--secure-port=" + strconv.Itoa(cpPort)} {
				if !slices.Contains(cmd, w) {
					t.Errorf("kube-apiserver command lacks %q: %v", w, cmd)
				}
			}
			if a, w := pod.Annotations[controlplane.AdvertiseAddressAnnotation], net.JoinHostPort(cpAddress, strconv.Itoa(cpPort)); a != w {
				t.Errorf("advertise-address annotation %q, want %q", a, w)
			}
		})
	}
}

// TestDownloadHint: a download that failed for want of a (valid) Secret or
// key says what to run, in the name kadm was invoked as.
func TestDownloadHint(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{copycerts.ErrSecretNotFound, "run 'kubeadm init phase upload-certs --upload-certs' on a control-plane node"},
		{copycerts.ErrSecretExpired, "run 'kubeadm init phase upload-certs --upload-certs' on a control-plane node"},
		{copycerts.ErrWrongKey, "pass the key printed by 'kubeadm init --upload-certs'"},
	} {
		err := downloadHint(fmt.Errorf("%w: detail", tc.err), "kubeadm")
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("downloadHint(%v) = %v, want it to wrap the error and say %q", tc.err, err, tc.want)
		}
	}
	if err := downloadHint(copycerts.ErrTampered, "kubeadm"); err != copycerts.ErrTampered {
		t.Errorf("downloadHint(ErrTampered) = %v, want it unchanged: no command repairs altered data", err)
	}
}
