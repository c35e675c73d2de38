package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/cluster/bootstraptoken"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/fakeapi"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/pkiutil"
)

// cliResult is what a command run printed and how it would exit.
type cliResult struct {
	out, errOut string
	code        int
}

// runSub runs the command build makes under a "kadm" root, the way Run
// does: errors printed as Run prints them, exit code as main maps it.
func runSub(t *testing.T, build func(IOStreams) *cobra.Command, args ...string) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	s := IOStreams{Out: &out, ErrOut: &errOut}
	root := &cobra.Command{Use: "kadm", SilenceErrors: true, SilenceUsage: true}
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.AddCommand(build(s))
	markRunErrors(root)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(s.withProgress(context.Background()))
	if err != nil {
		printError(&errOut, cmd, err)
	}
	return cliResult{out: out.String(), errOut: errOut.String(), code: ExitCode(err)}
}

// tokenCmdOn builds `token` against client, whatever kubeconfig is named.
func tokenCmdOn(client kube.Interface) func(IOStreams) *cobra.Command {
	return func(s IOStreams) *cobra.Command {
		return newTokenCmdWith(s, &tokenOptions{client: func(string) (kube.Interface, error) { return client, nil }})
	}
}

// testAdminConf writes a kubeconfig pointing at server and trusting a new
// CA, and returns its path and the CA.
func testAdminConf(t *testing.T, server string) (string, *x509.Certificate) {
	t.Helper()
	key, err := pkiutil.NewPrivateKey(config.EncryptionAlgorithmECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pkiutil.NewSelfSignedCA(pkiutil.CertConfig{CommonName: "kubernetes"}, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "admin.conf")
	cfg := kubeconfig.WithToken(server, "kubernetes", "admin", pkiutil.EncodeCertPEM(ca), "admin-token")
	if err := kubeconfig.Write(path, cfg); err != nil {
		t.Fatal(err)
	}
	return path, ca
}

func getTokenSecret(t *testing.T, client kube.Interface, id string) *corev1.Secret {
	t.Helper()
	s, err := client.CoreV1().Secrets(metav1.NamespaceSystem).Get(context.Background(), "bootstrap-token-"+id, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("bootstrap token %s: %v", id, err)
	}
	return s
}

func TestTokenCreate(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset()
	before := time.Now()
	r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), "token", "create", "abcdef.0123456789abcdef", "--ttl", "2h",
		"--description", "for the workers", "--usages", "authentication", "--kubeconfig", "unused.conf")
	if r.code != 0 || r.out != "abcdef.0123456789abcdef\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.errOut)
	}
	info, err := bootstraptoken.FromSecret(getTokenSecret(t, kubefake.Wrap(client), "abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Description != "for the workers" || strings.Join(info.Usages, ",") != "authentication" ||
		strings.Join(info.Groups, ",") != config.DefaultTokenGroup {
		t.Errorf("created %+v", info)
	}
	if info.Expires == nil || info.Expires.Before(before.Add(2*time.Hour).Add(-time.Second)) || info.Expires.After(time.Now().Add(2*time.Hour)) {
		t.Errorf("expires %v, want two hours from now", info.Expires)
	}
}

func TestTokenCreateGenerates(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset()
	r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), "token", "create", "--ttl", "0")
	tok := strings.TrimSpace(r.out)
	if r.code != 0 || !bootstraputil.IsValidBootstrapToken(tok) {
		t.Fatalf("exit %d, stdout %q, stderr %q: want a new token", r.code, r.out, r.errOut)
	}
	id, _, _ := strings.Cut(tok, ".")
	s := getTokenSecret(t, kubefake.Wrap(client), id)
	if string(s.Data[bootstrapapi.BootstrapTokenSecretKey]) != strings.TrimPrefix(tok, id+".") {
		t.Error("the printed token is not the one created")
	}
	if _, ok := s.Data[bootstrapapi.BootstrapTokenExpirationKey]; ok {
		t.Error("--ttl 0 made a token that expires")
	}
	if strings.Join(mustInfo(t, s).Usages, ",") != "authentication,signing" {
		t.Errorf("default usages: got %v", mustInfo(t, s).Usages)
	}
}

func mustInfo(t *testing.T, s *corev1.Secret) bootstraptoken.Info {
	t.Helper()
	info, err := bootstraptoken.FromSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestTokenCreatePrintJoinCommand(t *testing.T) {
	t.Parallel()
	adminConf, ca := testAdminConf(t, "https://10.0.0.1:6443")
	pin := pkiutil.PublicKeyPin(ca)
	key := strings.Repeat("0123456789abcdef", 4)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"worker", nil,
			"kadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash " + pin + " \n"},
		{"control plane", []string{"--certificate-key", key},
			"kadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash " + pin + " --control-plane --certificate-key " + key + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset()
			args := append([]string{"token", "create", "abcdef.0123456789abcdef", "--print-join-command", "--kubeconfig", adminConf}, tt.args...)
			r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), args...)
			if r.code != 0 || r.out != tt.want {
				t.Fatalf("exit %d, stderr %q\n got %q\nwant %q", r.code, r.errOut, r.out, tt.want)
			}
			getTokenSecret(t, kubefake.Wrap(client), "abcdef")
		})
	}
}

// Every mistake is found before the cluster is asked anything, and no
// message repeats a secret.
func TestTokenCreateRejectsBeforeAnyAPICall(t *testing.T) {
	t.Parallel()
	adminConf, _ := testAdminConf(t, "https://10.0.0.1:6443")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"malformed token", []string{"abcdef.SECRETSECRETSECR"}, ExitUsage, "[token] argument"},
		{"malformed token ID", []string{"ABCDEF.SECRETSECRETSECR"}, ExitUsage, "[token] argument"},
		{"two tokens", []string{"abcdef.0123456789abcdef", "ghijkl.0123456789abcdef"}, ExitUsage, "accepts at most 1 arg"},
		{"certificate key alone", []string{"--certificate-key", strings.Repeat("ab", 32)}, ExitUsage, "--certificate-key needs --print-join-command"},
		{"short certificate key", []string{"--print-join-command", "--kubeconfig", adminConf, "--certificate-key", "SECRETSECRET"}, ExitUsage, "--certificate-key"},
		{"unknown usage", []string{"--usages", "signing,teleport"}, ExitUsage, `"teleport" is not a token usage`},
		{"bad group", []string{"--groups", "admins"}, ExitUsage, "admins"},
		{"negative ttl", []string{"--ttl", "-1h"}, ExitUsage, "negative"},
		{"no kubeconfig for the join command", []string{"--print-join-command", "--kubeconfig", filepath.Join(t.TempDir(), "none.conf")}, ExitFailure, "none.conf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset()
			r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), append([]string{"token", "create"}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.errOut, tt.code, tt.want)
			}
			if n := len(client.Actions()); n != 0 {
				t.Errorf("%d API calls were made: %v", n, client.Actions())
			}
			if strings.Contains(r.out+r.errOut, "SECRET") {
				t.Errorf("a secret was echoed:\n%s%s", r.out, r.errOut)
			}
		})
	}
}

func TestTokenCreateConfig(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "init.yaml")
	file := `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
- token: abcdef.0123456789abcdef
  description: from the file
  ttl: 1h0m0s
- description: second
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	client := fake.NewClientset()
	r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), "token", "create", "--config", path, "--description", "from the flag")
	if r.code != 0 || r.out != "abcdef.0123456789abcdef\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.errOut)
	}
	if !strings.Contains(r.errOut, "--description overrides bootstrapTokens[0].description from "+path) {
		t.Errorf("the override is not reported: %q", r.errOut)
	}
	if d := mustInfo(t, getTokenSecret(t, kubefake.Wrap(client), "abcdef")).Description; d != "from the flag" {
		t.Errorf("first token's description %q, want the flag's", d)
	}
	list, err := client.CoreV1().Secrets(metav1.NamespaceSystem).List(context.Background(), metav1.ListOptions{})
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("want both tokens of the file created, got %v (%v)", list, err)
	}
}

func TestTokenCreateDryRun(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset()
	r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), "token", "create", "abcdef.0123456789abcdef", "--dry-run")
	want := "[dryrun] Would create or update Secret \"kube-system/bootstrap-token-abcdef\"\nabcdef.0123456789abcdef\n"
	if r.code != 0 || r.out != want {
		t.Errorf("exit %d, stderr %q\n got %q\nwant %q", r.code, r.errOut, r.out, want)
	}
	if n := len(client.Actions()); n != 0 {
		t.Errorf("a dry run made %d API calls", n)
	}
}

func TestTokenGenerate(t *testing.T) {
	t.Parallel()
	a := runSub(t, tokenCmdOn(nil), "token", "generate")
	b := runSub(t, tokenCmdOn(nil), "token", "generate")
	for _, r := range []cliResult{a, b} {
		if r.code != 0 || !bootstraputil.IsValidBootstrapToken(strings.TrimSpace(r.out)) {
			t.Errorf("exit %d, stdout %q: want a token", r.code, r.out)
		}
	}
	if a.out == b.out {
		t.Error("two generated tokens are equal")
	}
}

// listSecrets are a token that expires in a day, an expired one and one
// that never expires, all with the secret listedSecret.
func listSecrets(now time.Time) []runtime.Object {
	mk := func(id string, data map[string]string) *corev1.Secret {
		s := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-" + id, Namespace: metav1.NamespaceSystem},
			Type:       bootstrapapi.SecretTypeBootstrapToken,
			Data: map[string][]byte{
				bootstrapapi.BootstrapTokenIDKey:     []byte(id),
				bootstrapapi.BootstrapTokenSecretKey: []byte(listedSecret),
			},
		}
		for k, v := range data {
			s.Data[k] = []byte(v)
		}
		return s
	}
	return []runtime.Object{
		mk("aaaaaa", map[string]string{
			bootstrapapi.BootstrapTokenExpirationKey:       now.Add(25 * time.Hour).UTC().Format(time.RFC3339),
			bootstrapapi.BootstrapTokenUsageSigningKey:     "true",
			bootstrapapi.BootstrapTokenUsageAuthentication: "true",
			bootstrapapi.BootstrapTokenExtraGroupsKey:      config.DefaultTokenGroup,
			bootstrapapi.BootstrapTokenDescriptionKey:      "workers",
		}),
		mk("bbbbbb", map[string]string{bootstrapapi.BootstrapTokenExpirationKey: now.Add(-time.Hour).UTC().Format(time.RFC3339)}),
		mk("cccccc", nil),
	}
}

const listedSecret = "s3cr3ts3cr3ts3cr"

func TestTokenListText(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset(listSecrets(time.Now())...)
	r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), "token", "list")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
	lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a header and three rows, got:\n%s", r.out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS$`),
		regexp.MustCompile(`^aaaaaa\.<redacted>\s+1d\s+\S+Z\s+authentication,signing\s+workers\s+system:bootstrappers:kubeadm:default-node-token$`),
		regexp.MustCompile(`^bbbbbb\.<redacted>\s+<invalid>\s+\S+Z\s+<none>\s+<none>\s+<none>$`),
		regexp.MustCompile(`^cccccc\.<redacted>\s+<forever>\s+<never>\s+<none>\s+<none>\s+<none>$`),
	} {
		if !slicesContainMatch(lines, want) {
			t.Errorf("no line matches %s in:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out+r.errOut, listedSecret) {
		t.Errorf("list printed a token secret:\n%s", r.out)
	}
}

func slicesContainMatch(lines []string, re *regexp.Regexp) bool {
	for _, l := range lines {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

// The text table keeps kubeadm's fixed widths, so that rows line up.
func TestTokenRowLayout(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := now.Add(90 * time.Minute)
	var b bytes.Buffer
	infos := []bootstraptoken.Info{
		{ID: "abcdef", Expires: &exp, Usages: []string{"authentication", "signing"}, Groups: []string{"system:bootstrappers:x"}},
		{ID: "ghijkl"},
	}
	if err := printTokens(&b, nil, infos, now); err != nil {
		t.Fatal(err)
	}
	want := "TOKEN               TTL         EXPIRES                USAGES                   DESCRIPTION                                                EXTRA GROUPS\n" +
		"abcdef.<redacted>   1h          2026-01-01T01:30:00Z   authentication,signing   <none>                                                     system:bootstrappers:x\n" +
		"ghijkl.<redacted>   <forever>   <never>   <none>                   <none>                                                     <none>\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestTokenListStructured(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset(listSecrets(time.Now())...)
			r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), "token", "list", "-o", format)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
			}
			objs := decodeObjects(t, format, r.out)
			if len(objs) != 3 {
				t.Fatalf("want three objects, got %d:\n%s", len(objs), r.out)
			}
			for _, o := range objs {
				if o["kind"] != "BootstrapToken" || o["apiVersion"] != "output.kubeadm.k8s.io/v1alpha3" {
					t.Errorf("kind/apiVersion: got %v %v", o["kind"], o["apiVersion"])
				}
				if tok, _ := o["token"].(string); !strings.HasSuffix(tok, ".<redacted>") {
					t.Errorf("token %q is not redacted", tok)
				}
			}
			if objs[0]["description"] != "workers" || objs[0]["expires"] == nil || objs[2]["expires"] != nil {
				t.Errorf("fields: %v", objs)
			}
			if strings.Contains(r.out, listedSecret) {
				t.Errorf("list printed a token secret:\n%s", r.out)
			}
		})
	}
}

func decodeObjects(t *testing.T, format, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	if format == "yaml" {
		for _, doc := range strings.Split(out, "---\n") {
			var o map[string]any
			if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
				t.Fatal(err)
			}
			objs = append(objs, o)
		}
		return objs
	}
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var o map[string]any
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
}

func TestTokenListEmptyAndBadOutput(t *testing.T) {
	t.Parallel()
	r := runSub(t, tokenCmdOn(kubefake.Wrap(fake.NewClientset())), "token", "list")
	if r.code != 0 || r.out != "" {
		t.Errorf("no tokens: exit %d, stdout %q; want nothing, as kubeadm prints", r.code, r.out)
	}
	client := fake.NewClientset()
	r = runSub(t, tokenCmdOn(kubefake.Wrap(client)), "token", "list", "-o", "xml")
	if r.code != ExitUsage || !strings.Contains(r.errOut, `--output "xml"`) || len(client.Actions()) != 0 {
		t.Errorf("-o xml: exit %d, stderr %q, %d API calls", r.code, r.errOut, len(client.Actions()))
	}
}

func TestTokenDelete(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset(listSecrets(time.Now())...)
	r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), "token", "delete", "aaaaaa", "bbbbbb."+listedSecret)
	if r.code != 0 || r.out != "bootstrap token \"aaaaaa\" deleted\nbootstrap token \"bbbbbb\" deleted\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.errOut)
	}
	infos, _, err := bootstraptoken.List(context.Background(), kubefake.Wrap(client), objects.Policy{})
	if err != nil || len(infos) != 1 || infos[0].ID != "cccccc" {
		t.Errorf("left %v (%v), want only cccccc", infos, err)
	}
	r = runSub(t, tokenCmdOn(kubefake.Wrap(client)), "token", "delete", "zzzzzz")
	if r.code != ExitFailure || !strings.Contains(r.errOut, `"zzzzzz"`) || !strings.Contains(r.errOut, "see 'kadm token list'") {
		t.Errorf("absent token: exit %d, stderr %q; want the ID and the command that lists the tokens, in the program's name", r.code, r.errOut)
	}
}

func TestTokenDeleteRejectsBeforeAnyAPICall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no argument", nil, "missing argument"},
		{"malformed token", []string{"aaaaaa", "bbbbbb.SECRETSECRETSECRETX"}, "argument 2"},
		{"upper case", []string{"AAAAAA.SECRETSECRETSECR"}, "argument 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset(listSecrets(time.Now())...)
			r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), append([]string{"token", "delete"}, tt.args...)...)
			if r.code != ExitUsage || !strings.Contains(r.errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", r.code, r.errOut, tt.want)
			}
			if n := len(client.Actions()); n != 0 {
				t.Errorf("%d API calls were made", n)
			}
			if strings.Contains(r.out+r.errOut, "SECRET") {
				t.Errorf("a secret was echoed: %s", r.errOut)
			}
		})
	}
}

func TestTokenDeleteDryRun(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset(listSecrets(time.Now())...)
	r := runSub(t, tokenCmdOn(kubefake.Wrap(client)), "token", "delete", "aaaaaa", "--dry-run")
	if r.code != 0 || r.out != "[dryrun] Would delete Secret \"kube-system/bootstrap-token-aaaaaa\"\n" || len(client.Actions()) != 0 {
		t.Errorf("exit %d, stdout %q, %d API calls", r.code, r.out, len(client.Actions()))
	}
}

// TestTokenListAndDeleteAgainstASilentServer: a server that completes TLS
// and never answers fails token list and token delete at the API-call
// timeout, with an error that says so, instead of holding them forever.
func TestTokenListAndDeleteAgainstASilentServer(t *testing.T) {
	t.Parallel()
	api := fakeapi.Start(t)
	api.AcceptToken("admin-token", "admin")
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	api.Intercept = func(_ http.ResponseWriter, r *http.Request) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	}
	path := api.Kubeconfig(t, t.TempDir(), &clientcmdapi.AuthInfo{Token: "admin-token"})
	const timeout = 300 * time.Millisecond
	for _, args := range [][]string{{"token", "list"}, {"token", "delete", "abcdef"}} {
		t.Run(args[1], func(t *testing.T) {
			t.Parallel()
			done := make(chan cliResult, 1)
			go func() {
				done <- runSub(t, func(s IOStreams) *cobra.Command {
					return newTokenCmdWith(s, &tokenOptions{client: clientFromKubeconfig, timeout: timeout})
				}, append(args, "--kubeconfig", path)...)
			}()
			var r cliResult
			select {
			case r = <-done:
			case <-time.After(time.Minute):
				t.Fatalf("%s still waits for the server after a minute", args[1])
			}
			if r.code != ExitTimeout || !strings.Contains(r.errOut, "still failing after 300ms, timeouts.kubernetesAPICall") {
				t.Errorf("exit %d, stderr %q; want exit code %d and an error that names the timeout", r.code, r.errOut, ExitTimeout)
			}
		})
	}
}
