package app

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	tokenjws "k8s.io/cluster-bootstrap/token/jws"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/discovery"
	"github.com/kadm-project/kadm/internal/fakeapi"
	"github.com/kadm-project/kadm/kubeconfig"
)

const (
	testClusterYAML = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nclusterName: prod\n"
	testKubeletYAML = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
)

func TestJoinDataLazy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		// adminConf is written into the kubeconfig directory first.
		adminConf    bool
		wantDiscover int
		wantServer   string
	}{
		{name: "worker discovers once", args: []string{"10.0.0.9:6443", "--token", "abcdef.0123456789abcdef", "--discovery-token-unsafe-skip-ca-verification"},
			wantDiscover: 1, wantServer: "https://10.0.0.9:6443"},
		{name: "worker ignores admin.conf", args: []string{"10.0.0.9:6443", "--token", "abcdef.0123456789abcdef", "--discovery-token-unsafe-skip-ca-verification"},
			adminConf: true, wantDiscover: 1, wantServer: "https://10.0.0.9:6443"},
		{name: "control plane with admin.conf skips discovery", args: []string{"10.0.0.9:6443", "--token", "abcdef.0123456789abcdef", "--discovery-token-unsafe-skip-ca-verification", "--control-plane", "--apiserver-advertise-address", "10.0.0.9"},
			adminConf: true, wantServer: "https://admin.example:6443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, _, err := parseJoin(t, "", tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			d.kubeconfigDir = t.TempDir()
			if tt.adminConf {
				admin := kubeconfig.WithToken("https://admin.example:6443", "prod", "admin", nil, "t")
				if err := kubeconfig.Write(filepath.Join(d.kubeconfigDir, "admin.conf"), admin); err != nil {
					t.Fatal(err)
				}
			}
			var discovered atomic.Int32
			d.discover = func(_ context.Context, cfg *config.JoinConfiguration, o discovery.Options) (*clientcmdapi.Config, error) {
				discovered.Add(1)
				if o.Program == "" || o.Program != d.Program() {
					t.Errorf("discovery program %q, want the invocation name %q", o.Program, d.Program())
				}
				return kubeconfig.WithToken("https://"+cfg.Discovery.BootstrapToken.APIServerEndpoint, "kubernetes", discovery.TokenUser, nil, cfg.Discovery.TLSBootstrapToken), nil
			}
			client := fake.NewClientset(
				&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kubeadm-config", Namespace: "kube-system"}, Data: map[string]string{"ClusterConfiguration": testClusterYAML}},
				&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kubelet-config", Namespace: "kube-system"}, Data: map[string]string{"kubelet": testKubeletYAML}},
			)
			var servers []string
			d.clientFor = func(cfg *clientcmdapi.Config) (kube.Interface, error) {
				cluster, _, err := kubeconfig.Current(cfg)
				if err != nil {
					return nil, err
				}
				servers = append(servers, cluster.Server)
				return kubefake.Wrap(client), nil
			}
			ctx := context.Background()
			for range 2 {
				if _, err := d.TLSBootstrapCfg(ctx); err != nil {
					t.Fatal(err)
				}
				state, err := d.InitCfg(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if state.Cluster.ClusterName != "prod" {
					t.Errorf("cluster name %q, want prod", state.Cluster.ClusterName)
				}
				if _, err := d.BootstrapClient(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if got := discovered.Load(); got != int32(tt.wantDiscover) {
				t.Errorf("discovery ran %d times, want %d", got, tt.wantDiscover)
			}
			if !slices.Equal(servers, []string{tt.wantServer}) {
				t.Errorf("bootstrap clients built for %v, want one for %s", servers, tt.wantServer)
			}
			gets := 0
			for _, a := range client.Actions() {
				if a.GetVerb() == "get" {
					gets++
				}
			}
			if gets != 2 {
				t.Errorf("%d GETs, want 2 (kubeadm-config and kubelet-config, once)", gets)
			}
		})
	}
}

// dryRunAPI plays the API server a worker join reads from, and fails the
// test on anything but a read: a dry run must not change the cluster.
func dryRunAPI(t *testing.T, token string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("dry run sent %s %s", r.Method, r.URL.Path)
			http.Error(w, "no", http.StatusMethodNotAllowed)
			return
		}
		var obj any
		switch r.URL.Path {
		case "/api/v1/namespaces/kube-public/configmaps/cluster-info":
			kc := clientcmdapi.NewConfig()
			kc.Clusters[""] = &clientcmdapi.Cluster{Server: srv.URL, CertificateAuthorityData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})}
			data, err := clientcmd.Write(*kc)
			if err != nil {
				t.Error(err)
			}
			id, secret, _ := strings.Cut(token, ".")
			sig, err := tokenjws.ComputeDetachedSignature(string(data), id, secret)
			if err != nil {
				t.Error(err)
			}
			obj = &corev1.ConfigMap{Data: map[string]string{"kubeconfig": string(data), "jws-kubeconfig-" + id: sig}}
		case "/api/v1/namespaces/kube-system/configmaps/kubeadm-config":
			obj = &corev1.ConfigMap{Data: map[string]string{"ClusterConfiguration": testClusterYAML}}
		case "/api/v1/namespaces/kube-system/configmaps/kubelet-config":
			obj = &corev1.ConfigMap{Data: map[string]string{"kubelet": testKubeletYAML}}
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/v1/namespaces/kube-system/") && r.Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("%s read without the bootstrap token", r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(obj)
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// TestJoinDryRunWritesNothing: a join dry run changes nothing on the host;
// into the directory KUBEADM_JOIN_DRYRUN_DIR names it writes the kubelet's
// files and the CA, at the host's paths, and nothing that holds the token.
// Not parallel: it sets the variable.
func TestJoinDryRunWritesNothing(t *testing.T) {
	for _, p := range []string{"/etc/kubernetes/kubelet.conf", "/etc/kubernetes/bootstrap-kubelet.conf", "/var/lib/kubelet/config.yaml"} {
		if exists(p) {
			t.Skipf("%s exists on this host: a dry run would read it", p)
		}
	}
	const token = "abcdef.0123456789abcdef"
	srv := dryRunAPI(t, token)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "join.yaml")
	cfg := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ncaCertPath: " + filepath.Join(dir, "pki", "ca.crt") +
		"\ndiscovery:\n  bootstrapToken:\n    apiServerEndpoint: " + srv.Listener.Addr().String() +
		"\n    token: " + token + "\n    unsafeSkipCAVerification: true\n  tlsBootstrapToken: " + token + "\nnodeRegistration:\n  name: dry-node\n  criSocket: unix:///run/containerd/containerd.sock\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	dryDir := filepath.Join(dir, "dryrun")
	t.Setenv(config.EnvJoinDryRunDir, dryDir)
	var out, errOut bytes.Buffer
	err := Run(context.Background(), []string{"kadm", "join", "--config", cfgPath, "--dry-run", "--skip-phases", "preflight"}, IOStreams{Out: &out, ErrOut: &errOut})
	if err != nil {
		t.Fatalf("dry run: %v\n%s%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{
		`[preflight] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...`,
		`[dryrun] Would write file "/etc/kubernetes/bootstrap-kubelet.conf"`,
		`[dryrun] Would write file "/var/lib/kubelet/config.yaml" with content:`,
		"[dryrun] Finished dry-running successfully",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String()+errOut.String(), "0123456789abcdef") {
		t.Error("the token secret appears in the output")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the dry run wrote into %s: %v", dir, entries)
	}
	for _, p := range []string{"/var/lib/kubelet/config.yaml", "/var/lib/kubelet/kubeadm-flags.env", filepath.Join(dir, "pki", "ca.crt")} {
		if !exists(filepath.Join(dryDir, p)) {
			t.Errorf("%s is not in the dry run's directory", p)
		}
	}
	err = filepath.WalkDir(dryDir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if strings.Contains(string(b), "0123456789abcdef") {
			t.Errorf("%s holds the token secret", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/etc/kubernetes/bootstrap-kubelet.conf", "/var/lib/kubelet/config.yaml"} {
		if exists(p) {
			t.Errorf("the dry run wrote %s", p)
		}
	}
}

// joinDryRun is the command line of a worker join dry run of the file
// discovery kubeconfig at discoveryFile with the join configuration cfg
// (extra YAML lines under JoinConfiguration), its dry-run directory in the
// test's. Not parallel: it sets the dry-run directory's variable.
func joinDryRun(t *testing.T, discoveryFile, cfg string) []string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(config.EnvJoinDryRunDir, filepath.Join(dir, "dryrun"))
	path := filepath.Join(dir, "join.yaml")
	doc := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ncaCertPath: " + filepath.Join(dir, "pki", "ca.crt") +
		"\ndiscovery:\n  file:\n    kubeConfigPath: " + discoveryFile +
		"\nnodeRegistration:\n  name: dry-node\n  criSocket: unix:///run/containerd/containerd.sock\n" + cfg
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"kadm", "join", "--config", path, "--dry-run", "--skip-phases", "preflight"}
}

// run runs argv as Run does and returns all it printed.
func run(argv []string) (string, error) {
	var out bytes.Buffer
	err := Run(context.Background(), argv, IOStreams{Out: &out, ErrOut: &out})
	return out.String(), err
}

// clusterAPI is an API server holding the configuration a join reads, that
// accepts the token "node-token".
func clusterAPI(t *testing.T) *fakeapi.Server {
	t.Helper()
	api := fakeapi.Start(t)
	api.AcceptToken("node-token", "system:bootstrap:abcdef")
	api.Put(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kubeadm-config", Namespace: "kube-system"}, Data: map[string]string{"ClusterConfiguration": testClusterYAML}})
	api.Put(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kubelet-config", Namespace: "kube-system"}, Data: map[string]string{"kubelet": testKubeletYAML}})
	return api
}

// TestJoinRejectedDiscoveryFileCredentials: credentials of a discovery file
// that the API server refuses fail the join at the first read, saying whose
// they are and what to do, without retrying for the whole timeout.
func TestJoinRejectedDiscoveryFileCredentials(t *testing.T) {
	api := clusterAPI(t)
	file := api.Kubeconfig(t, t.TempDir(), &clientcmdapi.AuthInfo{Token: "revoked-token"})
	out, err := run(joinDryRun(t, file, ""))
	if err == nil || ExitCode(err) != ExitFailure || !strings.Contains(err.Error(), "does not accept the join's credentials") ||
		!strings.Contains(err.Error(), "fix the discovery file's credentials") {
		t.Fatalf("join: %v (exit %d), want a failure naming the refused credentials\n%s", err, ExitCode(err), out)
	}
	if reads := slices.DeleteFunc(api.Requests(), func(r string) bool { return !strings.Contains(r, "/configmaps/") }); len(reads) != 1 {
		t.Errorf("configuration read %d times (%v), want once: a refusal is not retried", len(reads), reads)
	}
}

// TestJoinSlowAPIServerAfterDiscovery: an API server that answers slowly
// after discovery is waited for within timeouts.kubernetesAPICall, and one
// slower than that fails the join at that timeout, saying which it was.
func TestJoinSlowAPIServerAfterDiscovery(t *testing.T) {
	for _, tt := range []struct {
		name    string
		delay   time.Duration
		timeout string
		wantErr string
	}{
		{name: "slow within the timeout", delay: time.Second, timeout: "10s"},
		{name: "slower than the timeout", delay: 3 * time.Second, timeout: "500ms", wantErr: "still failing after 500ms, timeouts.kubernetesAPICall"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := clusterAPI(t)
			api.Intercept = func(_ http.ResponseWriter, r *http.Request) bool {
				if strings.Contains(r.URL.Path, "/namespaces/kube-system/configmaps/") {
					select {
					case <-time.After(tt.delay):
					case <-r.Context().Done():
					}
				}
				return false
			}
			file := api.Kubeconfig(t, t.TempDir(), &clientcmdapi.AuthInfo{Token: "node-token"})
			argv := joinDryRun(t, file, "timeouts:\n  kubernetesAPICall: "+tt.timeout+"\n")
			done := make(chan error, 1)
			var out string
			go func() {
				var err error
				out, err = run(argv)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatal("the join still waits after a minute")
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("join: %v\n%s", err, out)
				}
				if !strings.Contains(out, "[dryrun] Finished dry-running successfully") {
					t.Errorf("the join did not finish:\n%s", out)
				}
				return
			}
			if err == nil || ExitCode(err) != ExitTimeout || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("join: %v (exit %d), want exit %d and %q", err, ExitCode(err), ExitTimeout, tt.wantErr)
			}
		})
	}
}
