package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	certutil "k8s.io/client-go/util/cert"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	tokenjws "k8s.io/cluster-bootstrap/token/jws"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/internal/fakeapi"
	"github.com/kadm-project/kadm/pkiutil"
)

// TestNoSecretInOutput runs the real binary at -v=10, with --vmodule raising
// client-go's request and transport files to 10 too: the verbosity at which
// client-go would dump every request and response with its body,
// through each command that handles a secret, against an API server of
// the test's: token create and list, init's certs, bootstrap-token and
// upload-certs phases, and a control-plane join (dry run, so that it
// changes nothing on this machine) that downloads the certificates. It
// searches everything each prints, stdout and stderr, for every secret in
// play (token secrets, the certificate key, the private keys, the admin
// kubeconfig's client key) in plain, base64, hex, hexdump and decimal form.
func TestNoSecretInOutput(t *testing.T) {
	t.Parallel()
	api := fakeapi.Start(t)
	dir := t.TempDir()
	certPEM, keyPEM := fakeapi.ClientCertificate(t, "kubernetes-admin")
	admin := api.Kubeconfig(t, dir, &clientcmdapi.AuthInfo{ClientCertificateData: certPEM, ClientKeyData: keyPEM})
	created, joining := newToken(t), newToken(t)
	certKey := hex.EncodeToString(randomBytes(t, 32))
	endpoint := strings.TrimPrefix(api.URL, "https://")
	secrets := map[string][]byte{
		"admin.conf's client key": keyPEM,
		"created token's secret":  []byte(tokenSecret(created)),
		"joining token's secret":  []byte(tokenSecret(joining)),
		"certificate key":         []byte(certKey),
	}
	initCfg := filepath.Join(dir, "init.yaml")
	initDoc := func(certDir string) string {
		return fmt.Sprintf(`apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
certificateKey: %s
bootstrapTokens:
- token: %s
localAPIEndpoint:
  advertiseAddress: 127.0.0.1
nodeRegistration:
  name: cp-1
  criSocket: unix:///run/containerd/containerd.sock
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
controlPlaneEndpoint: %s
certificatesDir: %s
encryptionAlgorithm: ECDSA-P256
`, certKey, joining, endpoint, certDir)
	}
	writeFile(t, initCfg, initDoc(filepath.Join(dir, "pki")))
	// The cluster's configuration names the default directory, where a
	// control-plane join may write (this one is a dry run, which does not).
	uploadedCfg := filepath.Join(dir, "uploaded.yaml")
	writeFile(t, uploadedCfg, initDoc("/etc/kubernetes/pki"))

	run := func(want string, args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := exec.Command("kadm", append(args, "-v=10", "--vmodule=request=10,round_trippers=10")...)
		cmd.Env = append(os.Environ(), "KUBEADM_JOIN_DRYRUN_DIR="+filepath.Join(dir, "dryrun"))
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("kadm %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		out := stdout.String()
		if want != "" {
			// What the command is asked to print is no leak: the rest is.
			if !strings.Contains(out, want) {
				t.Fatalf("kadm %s printed %q, want %q in it", strings.Join(args, " "), out, want)
			}
			out = strings.Replace(out, want, "", 1)
		}
		all := out + stderr.String()
		for what, secret := range secrets {
			for _, form := range leaks(all, secret) {
				t.Errorf("kadm %s shows the %s (%s)", strings.Join(args, " "), what, form)
			}
		}
		return all
	}

	out := run(created+"\n", "token", "create", created, "--kubeconfig", admin)
	if !regexp.MustCompile(`POST https://127\.0\.0\.1:\d+/api/v1/namespaces/kube-system/secrets 201 Created in `).MatchString(out) {
		t.Errorf("token create at -v=10 logged no request, so the search proves nothing:\n%s", out)
	}
	run("", "token", "list", "--kubeconfig", admin)
	run("", "init", "phase", "certs", "all", "--config", initCfg)
	for _, f := range []string{"ca.key", "front-proxy-ca.key", "etcd/ca.key", "sa.key", "apiserver.key"} {
		b, err := os.ReadFile(filepath.Join(dir, "pki", f))
		if err != nil {
			t.Fatal(err)
		}
		secrets[f] = b
	}
	run("", "init", "phase", "certs", "all", "--config", initCfg)
	run("", "init", "phase", "bootstrap-token", "--config", initCfg, "--kubeconfig", admin, "--skip-token-print")
	run("", "init", "phase", "upload-config", "all", "--config", uploadedCfg, "--kubeconfig", admin)
	run("", "init", "phase", "upload-certs", "--upload-certs", "--config", initCfg, "--kubeconfig", admin, "--skip-certificate-key-print")
	if api.Object("/api/v1/namespaces/kube-system/secrets", "kubeadm-certs") == nil {
		t.Fatal("upload-certs stored no kubeadm-certs Secret: the join below would download nothing")
	}

	// cluster-info as the bootstrap signer leaves it, for this server's CA.
	api.Put(t, clusterInfo(t, api, joining))
	api.AcceptToken(joining, "system:bootstrap:"+strings.Split(joining, ".")[0])
	out = run("", "join", endpoint, "--token", joining, "--discovery-token-ca-cert-hash", caPin(t, api),
		"--control-plane", "--certificate-key", certKey, "--apiserver-advertise-address", "127.0.0.1", "--node-name", "cp-2",
		"--dry-run", "--ignore-preflight-errors", "all")
	if !strings.Contains(out, "[download-certs] Downloading the certificates in Secret \"kubeadm-certs\"") || !strings.Contains(out, "ca.key\"") {
		t.Errorf("the join did not download the certificates:\n%s", out)
	}
}

// leaks lists the forms in which secret, or a stretch of it, appears in out.
func leaks(out string, secret []byte) []string {
	var found []string
	dump := hexdumpBytes(out)
	for _, f := range fingerprints(secret) {
		forms := map[string]string{
			"plain":     string(f),
			"hex":       hex.EncodeToString(f),
			"HEX":       strings.ToUpper(hex.EncodeToString(f)),
			"decimal":   strings.Trim(fmt.Sprint(f), "[]"),
			"Go []byte": strings.Trim(fmt.Sprintf("%#v", f), "[]byte{}"),
		}
		for shift := range 3 {
			// f after shift other bytes: the characters only f's bytes decide.
			enc := base64.StdEncoding.EncodeToString(append(make([]byte, shift), f...))
			skip := (shift*8 + 5) / 6
			end := len(enc) - strings.Count(enc, "=") - 2
			forms[fmt.Sprintf("base64, offset %d", shift)] = enc[skip:end]
			forms[fmt.Sprintf("base64url, offset %d", shift)] = strings.NewReplacer("+", "-", "/", "_").Replace(enc[skip:end])
		}
		for form, needle := range forms {
			if strings.Contains(out, needle) {
				found = append(found, form)
			}
		}
		if strings.Contains(dump, hex.EncodeToString(f)) {
			found = append(found, "hexdump")
		}
	}
	return found
}

// fingerprints are the stretches of secret searched for: all of a short
// one, and for a key, windows at its start, middle and end, since output
// may carry part of it.
func fingerprints(secret []byte) [][]byte {
	const window = 24
	s := bytes.TrimSpace(secret)
	if block, _ := pem.Decode(s); block != nil {
		s = block.Bytes
	}
	if len(s) <= 2*window {
		return [][]byte{s}
	}
	return [][]byte{s[:window], s[len(s)/2-window/2 : len(s)/2+window/2], s[len(s)-window:]}
}

var dumpLine = regexp.MustCompile(`(?m)[0-9a-f]{8}  ((?:[0-9a-f]{2} {1,2}){1,16})`)

// hexdumpBytes joins the bytes of every hex.Dump line in out, as hex, so
// that a secret split across lines is found.
func hexdumpBytes(out string) string {
	var b strings.Builder
	for _, m := range dumpLine.FindAllStringSubmatch(out, -1) {
		b.WriteString(strings.ReplaceAll(m[1], " ", ""))
	}
	return b.String()
}

func clusterInfo(t *testing.T, api *fakeapi.Server, token string) *corev1.ConfigMap {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[""] = &clientcmdapi.Cluster{Server: api.URL, CertificateAuthorityData: api.CA}
	kc, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	id, secret, _ := strings.Cut(token, ".")
	sig, err := tokenjws.ComputeDetachedSignature(string(kc), id, secret)
	if err != nil {
		t.Fatal(err)
	}
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: bootstrapapi.ConfigMapClusterInfo, Namespace: metav1.NamespacePublic},
		Data:       map[string]string{bootstrapapi.KubeConfigKey: string(kc), bootstrapapi.JWSSignatureKeyPrefix + id: sig},
	}
}

func caPin(t *testing.T, api *fakeapi.Server) string {
	t.Helper()
	cas, err := certutil.ParseCertsPEM(api.CA)
	if err != nil {
		t.Fatal(err)
	}
	return pkiutil.PublicKeyPin(cas[0])
}

func newToken(t *testing.T) string {
	t.Helper()
	tok, err := bootstraputil.GenerateBootstrapToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func tokenSecret(token string) string {
	_, secret, _ := strings.Cut(token, ".")
	return secret
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
