//go:build e2e

package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// registryPort is where the lab's registry serves.
const registryPort = "5000"

// registryConfig is distribution's configuration: images on the registry
// host's disk, TLS with the test CA's certificate, every request in the
// access log.
const registryConfig = `version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: /var/lib/kadm-e2e-registry
http:
  addr: :` + registryPort + `
  tls:
    certificate: /etc/kadm-e2e-registry/tls.crt
    key: /etc/kadm-e2e-registry/tls.key
`

// pullLine matches a registry access log line of a pull: a manifest or
// blob fetched or asked about.
var pullLine = regexp.MustCompile(`"(GET|HEAD) /v2/\S+/(manifests|blobs)/\S+ HTTP`)

// TestAirGapped is issue #14's air-gapped install on real nodes, as the
// README tells it: a registry host serves the control plane's images over
// TLS with a test CA; the node's containerd trusts the CA and runs its Pods
// in the registry's sandbox image; imageRepository points at the registry;
// `kadm config images pull` fills the node's containerd, and `kadm init`
// then pulls nothing more: the registry's log shows no further pull.
func TestAirGapped(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	ctx := testContext(t, 15*time.Minute)
	reg := framework.NewHost(t, suite.lab, "registry")
	cp := framework.NewHost(t, suite.lab, "airgapped")
	repo := net.JoinHostPort(reg.IP.String(), registryPort)
	ca, cert, key := registryCertificates(t, reg.IP)

	startRegistry(t, ctx, reg, cert, key)
	for _, h := range []*framework.Host{reg, cp} {
		trustRegistry(t, ctx, h, repo, ca, repo+"/pause:3.10.2")
	}

	token, _, _ := newToken(t)
	cfg := cp.Dir + "/airgapped.yaml"
	writeFile(t, cfg, initConfig(cp, token)+"imageRepository: "+repo+"\n")
	mirrored := strings.Fields(mustRun(t, ctx, cp, "kadm", "config", "images", "list", "--config", cfg))
	upstream := strings.Fields(mustRun(t, ctx, cp, "kadm", "config", "images", "list", "--kubernetes-version", framework.KubernetesVersion))
	if len(mirrored) != len(upstream) {
		t.Fatalf("%d images under %s, %d upstream", len(mirrored), repo, len(upstream))
	}
	// The registry host's containerd holds the lab's images under the
	// upstream names: push each under the mirrored one, as an operator
	// copies them into an internal registry.
	for i, image := range mirrored {
		if !strings.HasPrefix(image, repo+"/") {
			t.Fatalf("%s is not under %s", image, repo)
		}
		mustRun(t, ctx, reg, "ctr", "-n", "k8s.io", "images", "tag", "--force", upstream[i], image)
		mustRun(t, ctx, reg, "ctr", "-n", "k8s.io", "images", "push", "--hosts-dir", "/etc/containerd/certs.d", image)
	}
	pushed := registryPulls(t, reg)

	out := mustRun(t, ctx, cp, "kadm", "config", "images", "pull", "--config", cfg)
	for _, image := range mirrored {
		if !strings.Contains(out, "[config/images] Pulled "+image+"\n") {
			t.Errorf("config images pull does not report %s:\n%s", image, out)
		}
	}
	filled := registryPulls(t, reg)
	if len(filled) == len(pushed) {
		t.Fatalf("config images pull asked the registry for nothing")
	}

	mustRun(t, ctx, cp, "kadm", append([]string{"init", "--config", cfg}, preflightFlags(t)...)...)
	verifyControlPlane(t, ctx, cp, token)
	if more := registryPulls(t, reg)[len(filled):]; len(more) > 0 {
		t.Errorf("kadm init pulled again after config images pull:\n%s", strings.Join(more, "\n"))
	}
}

// registryCertificates makes a test CA and the registry's serving
// certificate for its address, in PEM.
func registryCertificates(t *testing.T, ip netip.Addr) (ca, cert, key []byte) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kadm e2e registry CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: ip.String()},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{ip.AsSlice()}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(leafKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

// startRegistry runs distribution's registry as a service of h and waits
// until it answers over TLS.
func startRegistry(t *testing.T, ctx context.Context, h *framework.Host, cert, key []byte) {
	t.Helper()
	writeFile(t, h.Path("/etc/kadm-e2e-registry/config.yml"), registryConfig)
	writeFile(t, h.Path("/etc/kadm-e2e-registry/tls.crt"), string(cert))
	writeFile(t, h.Path("/etc/kadm-e2e-registry/tls.key"), string(key))
	writeFile(t, h.Path("/etc/systemd/system/kadm-e2e-registry.service"), fmt.Sprintf(
		"[Unit]\nDescription=the lab's image registry\n\n[Service]\nExecStart=%s serve /etc/kadm-e2e-registry/config.yml\nRestart=always\n",
		filepath.Join(suite.lab.BinDir, "registry")))
	mustRun(t, ctx, h, "systemctl", "daemon-reload")
	mustRun(t, ctx, h, "systemctl", "start", "kadm-e2e-registry")
	// The test machine reaches the host's address; the registry's
	// certificate is for it, so skip only the CA check here.
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	url := "https://" + net.JoinHostPort(h.IP.String(), registryPort) + "/v2/"
	err := framework.WaitFor(ctx, time.Minute, 200*time.Millisecond, "the registry on "+h.Name+" to answer "+url, func(ctx context.Context) error {
		resp, err := client.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %s", url, resp.Status)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// trustRegistry configures h's containerd as the README's air-gapped install
// does: the registry's CA in a hosts.toml under /etc/containerd/certs.d, and
// the registry's sandbox image; then restarts it and waits until it serves.
func trustRegistry(t *testing.T, ctx context.Context, h *framework.Host, repo string, ca []byte, sandbox string) {
	t.Helper()
	dir := "/etc/containerd/certs.d/" + repo
	writeFile(t, h.Path(dir+"/ca.crt"), string(ca))
	writeFile(t, h.Path(dir+"/hosts.toml"), fmt.Sprintf("server = %q\nca = %q\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\", \"push\"]\n  ca = %q\n",
		"https://"+repo, dir+"/ca.crt", "https://"+repo, dir+"/ca.crt"))
	b, err := os.ReadFile(h.Path("/etc/containerd/config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	config := regexp.MustCompile(`(?m)^(\s*sandbox_image = ).*$`).ReplaceAllString(string(b), `${1}"`+sandbox+`"`)
	config += "\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n"
	writeFile(t, h.Path("/etc/containerd/config.toml"), config)
	mustRun(t, ctx, h, "systemctl", "restart", "containerd")
	err = framework.WaitFor(ctx, time.Minute, 200*time.Millisecond, "containerd on "+h.Name+" to serve again", func(ctx context.Context) error {
		_, err := h.Run(ctx, "crictl", "--timeout=2s", "version")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// registryPulls are the pull requests in the registry's access log so far.
func registryPulls(t *testing.T, h *framework.Host) []string {
	t.Helper()
	b, err := os.ReadFile(h.LogPath("kadm-e2e-registry"))
	if err != nil {
		t.Fatal(err)
	}
	var pulls []string
	for _, line := range strings.Split(string(b), "\n") {
		if pullLine.MatchString(line) {
			pulls = append(pulls, line)
		}
	}
	return pulls
}
