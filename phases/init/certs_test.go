package initphases

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/phases/workflow"
)

// newCertsTestData is the shared test data behind a load balancer, so
// that the serving certificates name it too.
func newCertsTestData(t *testing.T) *testData {
	t.Helper()
	d := newTestData(t)
	d.cluster.ControlPlaneEndpoint = "lb.example.com:6443"
	return d
}

// runCertsPhases runs the certs phase and its children in order, as `init`
// and `init phase certs all` do, and returns what they printed with the
// certificate directory shown as <dir>.
func runCertsPhases(d *testData) (string, error) {
	var out bytes.Buffer
	ctx := workflow.WithReporter(context.Background(), &workflow.TextReporter{Out: &out})
	p := certsPhase()
	err := p.Run(ctx, d)
	for _, child := range p.Phases {
		if err != nil {
			break
		}
		err = child.Run(ctx, d)
	}
	return strings.ReplaceAll(out.String(), d.certDir, "<dir>"), err
}

func TestCertsPhaseOutput(t *testing.T) {
	t.Parallel()
	d := newCertsTestData(t)
	first, err := runCertsPhases(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `[certs] Using certificateDir folder "<dir>"
[certs] Generating "ca" certificate and key
[certs] Generating "apiserver" certificate and key
[certs] apiserver serving cert is signed for DNS names [cp-1 kubernetes kubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster.local lb.example.com] and IPs [10.96.0.1 10.0.0.5]
[certs] Generating "apiserver-kubelet-client" certificate and key
[certs] Generating "front-proxy-ca" certificate and key
[certs] Generating "front-proxy-client" certificate and key
[certs] Generating "etcd/ca" certificate and key
[certs] Generating "etcd/server" certificate and key
[certs] etcd/server serving cert is signed for DNS names [cp-1 localhost] and IPs [10.0.0.5 127.0.0.1 ::1]
[certs] Generating "etcd/peer" certificate and key
[certs] etcd/peer serving cert is signed for DNS names [cp-1 localhost] and IPs [10.0.0.5 127.0.0.1 ::1]
[certs] Generating "etcd/healthcheck-client" certificate and key
[certs] Generating "apiserver-etcd-client" certificate and key
[certs] Generating "sa" key and public key
`
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first run (-want +got):\n%s", diff)
	}

	again, err := runCertsPhases(d)
	if err != nil {
		t.Fatal(err)
	}
	want = `[certs] Using certificateDir folder "<dir>"
[certs] Using existing ca certificate authority
[certs] Using existing apiserver certificate and key on disk
[certs] Using existing apiserver-kubelet-client certificate and key on disk
[certs] Using existing front-proxy-ca certificate authority
[certs] Using existing front-proxy-client certificate and key on disk
[certs] Using existing etcd/ca certificate authority
[certs] Using existing etcd/server certificate and key on disk
[certs] Using existing etcd/peer certificate and key on disk
[certs] Using existing etcd/healthcheck-client certificate and key on disk
[certs] Using existing apiserver-etcd-client certificate and key on disk
[certs] Using the existing "sa" key
`
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("rerun (-want +got):\n%s", diff)
	}
}

func TestCertsPhaseExternalEtcd(t *testing.T) {
	t.Parallel()
	d := newCertsTestData(t)
	d.cluster.Etcd = config.Etcd{External: &config.ExternalEtcd{Endpoints: []string{"https://10.0.0.9:2379"}}}
	out, err := runCertsPhases(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"[certs] External etcd mode: Skipping etcd/ca certificate authority generation\n",
		"[certs] External etcd mode: Skipping etcd/server certificate generation\n",
		"[certs] External etcd mode: Skipping apiserver-etcd-client certificate generation\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	if _, err := os.Stat(filepath.Join(d.certDir, "etcd")); !os.IsNotExist(err) {
		t.Errorf("etcd certificates written for an external etcd (%v)", err)
	}
}

func TestCertsPhaseExternalCA(t *testing.T) {
	t.Parallel()
	d := newCertsTestData(t)
	if _, err := runCertsPhases(d); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(d.certDir, "ca.key")); err != nil {
		t.Fatal(err)
	}
	d.externalCA = true
	out, err := runCertsPhases(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"[certs] Using existing ca keyless certificate authority\n", "[certs] Using existing sa keys\n"} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}

	if err := os.Remove(filepath.Join(d.certDir, "apiserver.crt")); err != nil {
		t.Fatal(err)
	}
	_, err = runCertsPhases(d)
	if err == nil || !strings.Contains(err.Error(), "external CA mode") || !strings.Contains(err.Error(), "apiserver.crt") {
		t.Fatalf("error %v, want an external-CA error naming apiserver.crt", err)
	}
}

// TestCertsPhaseDryRun: the dry run checks the host's CA where it is,
// signs nothing with its key and copies no key: the leaves it would sign
// are reported, nothing is written next to the host's files, and no host
// key ends up in the dry run's directory. A host without a CA gets a
// throwaway tree in the dry run's directory instead.
func TestCertsPhaseDryRun(t *testing.T) {
	t.Parallel()
	host := newCertsTestData(t)
	caPhase := certsPhase().Phases[0]
	if err := caPhase.Run(context.Background(), host); err != nil {
		t.Fatal(err)
	}
	hostKey, err := os.ReadFile(filepath.Join(host.certDir, "ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	d := newCertsTestData(t)
	d.cluster.CertificatesDir = host.certDir
	d.dryRun = true
	out, err := runCertsPhases(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"[certs] Using existing ca certificate authority\n",
		"[dryrun] Would generate \"apiserver\" certificate and key, signed by the existing ca certificate authority\n",
		"[dryrun] Would generate \"apiserver-kubelet-client\" certificate and key, signed by the existing ca certificate authority\n",
		"[certs] Generating \"front-proxy-ca\" certificate and key\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	if _, err := os.Stat(filepath.Join(d.certDir, "apiserver.crt")); !os.IsNotExist(err) {
		t.Errorf("the dry run signed apiserver.crt with the host's CA (%v)", err)
	}
	if entries, _ := os.ReadDir(host.certDir); len(entries) != 2 {
		t.Errorf("the dry run wrote into the host's directory: %v", entries)
	}
	err = filepath.WalkDir(d.certDir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Equal(b, hostKey) {
			t.Errorf("%s is a copy of the host's ca.key", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCertsPhaseTree(t *testing.T) {
	t.Parallel()
	p := certsPhase()
	var got []string
	for _, c := range p.Phases {
		got = append(got, c.Name+": "+c.Short)
	}
	want := []string{
		"ca: Generate the self-signed Kubernetes CA to provision identities for other Kubernetes components",
		"apiserver: Generate the certificate for serving the Kubernetes API",
		"apiserver-kubelet-client: Generate the certificate for the API server to connect to kubelet",
		"front-proxy-ca: Generate the self-signed CA to provision identities for front proxy",
		"front-proxy-client: Generate the certificate for the front proxy client",
		"etcd-ca: Generate the self-signed CA to provision identities for etcd",
		"etcd-server: Generate the certificate for serving etcd",
		"etcd-peer: Generate the certificate for etcd nodes to communicate with each other",
		"etcd-healthcheck-client: Generate the certificate for liveness probes to healthcheck etcd",
		"apiserver-etcd-client: Generate the certificate the apiserver uses to access etcd",
		"sa: Generate a private key for signing service account tokens along with its public key",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
	wantLong := "Generate the certificate for serving etcd, and save them into etcd/server.crt and etcd/server.key files.\n\n" +
		"Default SANs are localhost, 127.0.0.1, 127.0.0.1, ::1\n\n" +
		"If both files already exist, kubeadm skips the generation step and existing files will be used."
	if diff := cmp.Diff(wantLong, p.Phases[6].Long); diff != "" {
		t.Errorf("etcd-server help (-want +got):\n%s", diff)
	}
}
