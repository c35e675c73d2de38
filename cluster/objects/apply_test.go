package objects

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kadm-project/kadm/internal/progress"
)

var fast = Policy{Timeout: 2 * time.Second, Interval: time.Millisecond}

func binding(role string, subjects ...string) *rbacv1.ClusterRoleBinding {
	b := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kubeadm:test"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
	}
	for _, s := range subjects {
		b.Subjects = append(b.Subjects, rbacv1.Subject{Kind: rbacv1.GroupKind, Name: s})
	}
	return b
}

// writes lists the create, update and delete calls a clientset received.
func writes(c *fake.Clientset) []string {
	var out []string
	for _, a := range c.Actions() {
		switch a.GetVerb() {
		case "create", "update", "delete", "patch":
			out = append(out, a.GetVerb()+" "+a.GetResource().Resource)
		}
	}
	return out
}

func TestApplyCreatesThenLeavesUpToDateObjectsAlone(t *testing.T) {
	t.Parallel()
	objs := []runtime.Object{
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "s"}, Type: "t", Data: map[string][]byte{"k": []byte("v")}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-public", Name: "c"}, Data: map[string]string{"k": "v"}},
		&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "r"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}}}},
		&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "rb"}, RoleRef: rbacv1.RoleRef{Kind: "Role", Name: "r"}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "cr"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}}}},
		binding("cr", "g"),
	}
	tests := []struct {
		name   string
		rounds int
		want   []string
	}{
		{"first run creates each object", 1, []string{"create secrets", "create configmaps", "create roles", "create rolebindings", "create clusterroles", "create clusterrolebindings"}},
		{"a rerun writes nothing", 2, []string{"create secrets", "create configmaps", "create roles", "create rolebindings", "create clusterroles", "create clusterrolebindings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset()
			c := &Client{Clientset: kubefake.Wrap(cs), Policy: fast}
			for range tt.rounds {
				if err := ApplyAll(t.Context(), c, objs...); err != nil {
					t.Fatal(err)
				}
			}
			if got := writes(cs); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("writes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestApplyUpdatesOnlyWhatKadmOwns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		live  runtime.Object
		want  runtime.Object
		check func(t *testing.T, cs *fake.Clientset)
	}{
		{
			name: "ConfigMap keeps keys and labels others added",
			live: &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-public", Name: "cluster-info", Labels: map[string]string{"x": "y"}},
				Data: map[string]string{"kubeconfig": "old", "jws-kubeconfig-abcdef": "sig"}},
			want: &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-public", Name: "cluster-info"}, Data: map[string]string{"kubeconfig": "new"}},
			check: func(t *testing.T, cs *fake.Clientset) {
				cm, err := cs.CoreV1().ConfigMaps("kube-public").Get(t.Context(), "cluster-info", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if cm.Data["kubeconfig"] != "new" || cm.Data["jws-kubeconfig-abcdef"] != "sig" || cm.Labels["x"] != "y" {
					t.Errorf("data = %v, labels = %v", cm.Data, cm.Labels)
				}
			},
		},
		{
			name: "Secret data is replaced",
			live: &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "s"}, Type: "t",
				Data: map[string][]byte{"usage-bootstrap-signing": []byte("true"), "token-id": []byte("a")}},
			want: &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "s"}, Type: "t", Data: map[string][]byte{"token-id": []byte("a")}},
			check: func(t *testing.T, cs *fake.Clientset) {
				s, err := cs.CoreV1().Secrets("kube-system").Get(t.Context(), "s", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if len(s.Data) != 1 || string(s.Data["token-id"]) != "a" {
					t.Errorf("data = %v, want only token-id", s.Data)
				}
			},
		},
		{
			name: "binding with another roleRef is recreated",
			live: binding("other", "g"),
			want: binding("cr", "g", "h"),
			check: func(t *testing.T, cs *fake.Clientset) {
				b, err := cs.RbacV1().ClusterRoleBindings().Get(t.Context(), "kubeadm:test", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if b.RoleRef.Name != "cr" || len(b.Subjects) != 2 {
					t.Errorf("binding = %+v", b)
				}
				if got := writes(cs); strings.Join(got, ",") != "delete clusterrolebindings,create clusterrolebindings" {
					t.Errorf("writes = %v", got)
				}
			},
		},
		{
			name: "binding with other subjects is updated",
			live: binding("cr", "old"),
			want: binding("cr", "new"),
			check: func(t *testing.T, cs *fake.Clientset) {
				b, err := cs.RbacV1().ClusterRoleBindings().Get(t.Context(), "kubeadm:test", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if len(b.Subjects) != 1 || b.Subjects[0].Name != "new" {
					t.Errorf("subjects = %+v", b.Subjects)
				}
				if got := writes(cs); strings.Join(got, ",") != "update clusterrolebindings" {
					t.Errorf("writes = %v", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset(tt.live)
			if _, err := (&Client{Clientset: kubefake.Wrap(cs), Policy: fast}).Apply(t.Context(), tt.want); err != nil {
				t.Fatal(err)
			}
			tt.check(t, cs)
		})
	}
}

func TestApplyRetries(t *testing.T) {
	t.Parallel()
	gr := schema.GroupResource{Resource: "configmaps"}
	tests := []struct {
		name     string
		failures []error
		policy   Policy
		wantErr  string
		wantOK   bool
	}{
		{"conflict then success", []error{apierrors.NewConflict(gr, "c", errors.New("changed"))}, fast, "", true},
		{"unavailable then success", []error{apierrors.NewServiceUnavailable("starting")}, fast, "", true},
		{"timeout then success", []error{apierrors.NewTimeoutError("slow", 1)}, fast, "", true},
		{"forbidden fails at once and names the object", []error{apierrors.NewForbidden(gr, "c", errors.New("no"))}, fast,
			`create or update ConfigMap "kube-system/c"`, false},
		{"unavailable until the deadline", nil, Policy{Timeout: 50 * time.Millisecond, Interval: time.Millisecond},
			"still failing after 50ms", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset()
			failures := tt.failures
			cs.PrependReactor("create", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
				if tt.failures == nil {
					return true, nil, apierrors.NewServiceUnavailable("down")
				}
				if len(failures) == 0 {
					return false, nil, nil
				}
				err := failures[0]
				failures = failures[1:]
				return true, nil, err
			})
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "c"}}
			_, err := (&Client{Clientset: kubefake.Wrap(cs), Policy: tt.policy}).Apply(t.Context(), cm)
			if tt.wantOK {
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestRetryStopsWithTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	err := Retry(ctx, Policy{Timeout: time.Minute, Interval: time.Millisecond}, func(context.Context) error {
		calls++
		if calls == 3 {
			cancel()
		}
		return Retryable(errors.New("node not registered yet"))
	})
	if err == nil || !strings.Contains(err.Error(), "node not registered yet") || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("error = %v", err)
	}
}

func TestDryRunReportsAndWritesNothing(t *testing.T) {
	t.Parallel()
	var got []string
	ctx := progress.WithSink(t.Context(), func(m string) { got = append(got, m) })
	w := DryRun{}
	err := ApplyAll(ctx, w,
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "bootstrap-token-abcdef"}},
		binding("cr"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"[dryrun] Would create or update Secret \"kube-system/bootstrap-token-abcdef\"\n",
		"[dryrun] Would create or update ClusterRoleBinding \"kubeadm:test\"\n"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reported %q, want %q", got, want)
	}
	if _, err := w.Apply(t.Context(), &corev1.Pod{}); err == nil {
		t.Error("DryRun accepted a kind kadm does not write")
	}
}
