package copycerts

import (
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
)

var now = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func TestBundle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		external *config.ExternalEtcd
		entries  []string
		empty    []string
	}{
		{"stacked etcd", nil,
			[]string{"ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "sa.pub", "sa.key", "etcd-ca.crt", "etcd-ca.key"}, nil},
		{"external etcd without TLS files", &config.ExternalEtcd{Endpoints: []string{"http://etcd:2379"}},
			[]string{"ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "sa.pub", "sa.key"},
			[]string{"external-etcd-ca.crt", "external-etcd.crt", "external-etcd.key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			plain := pki(t, dir)
			data, err := Bundle(Files(dir, tt.external), testKey)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) != len(tt.entries)+len(tt.empty) {
				t.Errorf("%d entries, want %d", len(data), len(tt.entries)+len(tt.empty))
			}
			key, _ := hex.DecodeString(testKey)
			for _, e := range tt.entries {
				got, err := Decrypt(data[e], key)
				if err != nil || string(got) != string(plain[e]) {
					t.Errorf("entry %s does not decrypt to the file: %v", e, err)
				}
			}
			for _, e := range tt.empty {
				if v, ok := data[e]; !ok || len(v) != 0 {
					t.Errorf("entry %s = %q (present %v), want present and empty", e, v, ok)
				}
			}
		})
	}
}

func TestBundleRejectsMalformedKey(t *testing.T) {
	t.Parallel()
	_, err := Bundle(Files(t.TempDir(), nil), "abc")
	if err == nil || !strings.Contains(err.Error(), "malformed certificate key") || strings.Contains(err.Error(), "abc") {
		t.Errorf("error = %v, want ErrMalformedKey without the key", err)
	}
}

func TestUpload(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset()
	w := &objects.Client{Clientset: kubefake.Wrap(cs), Policy: objects.Policy{Interval: time.Millisecond}}
	data := map[string][]byte{"ca.crt": []byte("sealed")}
	var owners []string
	for range 2 {
		if err := Upload(t.Context(), w, data, now); err != nil {
			t.Fatal(err)
		}
		s, err := cs.CoreV1().Secrets("kube-system").Get(t.Context(), "kubeadm-certs", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Type != corev1.SecretTypeOpaque || string(s.Data["ca.crt"]) != "sealed" {
			t.Errorf("kubeadm-certs type %q data %v", s.Type, s.Data)
		}
		if len(s.OwnerReferences) != 1 {
			t.Fatalf("owner references = %+v, want exactly one", s.OwnerReferences)
		}
		ref := s.OwnerReferences[0]
		tok, err := cs.CoreV1().Secrets("kube-system").Get(t.Context(), ref.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("owner %s: %v", ref.Name, err)
		}
		if ref.APIVersion != "v1" || ref.Kind != "Secret" || ref.UID != tok.UID || ref.Controller == nil || !*ref.Controller {
			t.Errorf("owner reference = %+v, token UID %s", ref, tok.UID)
		}
		wantToken := map[string]string{
			"token-id": string(tok.Data["token-id"]), "token-secret": string(tok.Data["token-secret"]),
			"description": "Proxy for managing TTL for the kubeadm-certs secret", "expiration": "2026-03-01T12:00:00Z",
		}
		gotToken := map[string]string{}
		for k, v := range tok.Data {
			gotToken[k] = string(v)
		}
		if diff := cmp.Diff(wantToken, gotToken); diff != "" {
			t.Errorf("token data (-want +got; no usages, 2h TTL):\n%s", diff)
		}
		if tok.Type != "bootstrap.kubernetes.io/token" || len(tok.Data["token-secret"]) != 16 {
			t.Errorf("token type %q", tok.Type)
		}
		owners = append(owners, ref.Name)
	}
	if owners[0] == owners[1] {
		t.Error("a second upload reused the first token; each upload gets a fresh TTL")
	}
	rb, err := cs.RbacV1().RoleBindings("kube-system").Get(t.Context(), "kubeadm:kubeadm-certs", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantSubjects := []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: "system:bootstrappers:kubeadm:default-node-token"}}
	if diff := cmp.Diff(wantSubjects, rb.Subjects); diff != "" || rb.RoleRef.Name != "kubeadm:kubeadm-certs" || rb.RoleRef.Kind != "Role" {
		t.Errorf("binding roleRef %+v, subjects (-want +got):\n%s", rb.RoleRef, diff)
	}
	role, err := cs.RbacV1().Roles("kube-system").Get(t.Context(), "kubeadm:kubeadm-certs", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantRules := []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"kubeadm-certs"}}}
	if diff := cmp.Diff(wantRules, role.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestUploadDryRunCreatesNothing(t *testing.T) {
	t.Parallel()
	var reported []string
	ctx := progress.WithSink(t.Context(), func(m string) { reported = append(reported, m) })
	data, err := Bundle(Files(filepath.Join(t.TempDir(), "missing"), nil), testKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := Upload(ctx, objects.DryRun{}, data, now); err != nil {
		t.Fatal(err)
	}
	const prefix = "[dryrun] Would create or update "
	if len(reported) != 4 || !strings.HasPrefix(reported[0], prefix+`Secret "kube-system/bootstrap-token-`) ||
		reported[1] != prefix+`Secret "kube-system/kubeadm-certs"`+"\n" ||
		reported[2] != prefix+`Role "kube-system/kubeadm:kubeadm-certs"`+"\n" ||
		reported[3] != prefix+`RoleBinding "kube-system/kubeadm:kubeadm-certs"`+"\n" {
		t.Errorf("reported %q", reported)
	}
}
