package tlsbootstrap

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/internal/progress"
)

const (
	tokenUser = "system:bootstrap:abcdef"
	nodeName  = "worker-1"
)

func csrFor(t *testing.T, name, user, node string, created time.Time, conds ...certificatesv1.CertificateSigningRequestCondition) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "system:node:" + node, Organization: []string{"system:nodes"}},
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	return &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(created)},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}),
			SignerName: certificatesv1.KubeAPIServerClientKubeletSignerName,
			Username:   user,
			Usages:     []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth},
		},
		Status: certificatesv1.CertificateSigningRequestStatus{Conditions: conds},
	}
}

func approved() certificatesv1.CertificateSigningRequestCondition {
	return certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "AutoApproved"}
}

// approver plays the controller-manager: it approves and signs the named
// request, and marks kubelet.conf usable once the kubelet would have it.
type approver struct {
	client *fake.Clientset
	mu     sync.Mutex
	events []Event
	usable bool
}

func (a *approver) issue(ctx context.Context, t *testing.T, name string) {
	csrs := a.client.CertificatesV1().CertificateSigningRequests()
	csr, err := csrs.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Error(err)
		return
	}
	csr.Status.Conditions = append(csr.Status.Conditions, approved())
	csr.Status.Certificate = []byte("cert")
	if _, err := csrs.UpdateStatus(ctx, csr, metav1.UpdateOptions{}); err != nil {
		t.Error(err)
	}
}

func (a *approver) record(e Event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
	if e.State == Issued {
		a.usable = true
	}
}

func (a *approver) check(context.Context, string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.usable {
		return "", errors.New("no kubelet.conf yet")
	}
	return "system:node:" + nodeName, nil
}

func (a *approver) states() []State {
	a.mu.Lock()
	defer a.mu.Unlock()
	var s []State
	for _, e := range a.events {
		s = append(s, e.State)
	}
	return s
}

func TestWait(t *testing.T) {
	t.Parallel()
	now := time.Now()
	tests := []struct {
		name string
		csrs []*certificatesv1.CertificateSigningRequest
		// approveOn is the state on whose report the test approves and
		// signs "mine"; empty: never.
		approveOn State
		// unfollowed: Wait gets no client, as with credentials other than
		// a bootstrap token.
		unfollowed bool
		want       []State
		wantErr    string
	}{
		{
			name:      "auto-approved and issued",
			csrs:      []*certificatesv1.CertificateSigningRequest{csrFor(t, "mine", tokenUser, nodeName, now)},
			approveOn: Created,
			want:      []State{Created, Approved, Issued},
		},
		{
			name:      "pending until someone approves",
			csrs:      []*certificatesv1.CertificateSigningRequest{csrFor(t, "mine", tokenUser, nodeName, now)},
			approveOn: Pending,
			want:      []State{Created, Pending, Approved, Issued},
		},
		{
			name: "denied fails at once",
			csrs: []*certificatesv1.CertificateSigningRequest{csrFor(t, "mine", tokenUser, nodeName, now,
				certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateDenied, Status: corev1.ConditionTrue, Reason: "Policy", Message: "not on the list"})},
			want:    []State{Created},
			wantErr: `certificate signing request "mine" was denied (reason "Policy": not on the list)`,
		},
		{
			name: "other nodes and earlier attempts are ignored",
			csrs: []*certificatesv1.CertificateSigningRequest{
				csrFor(t, "other-node", tokenUser, "worker-2", now, approved()),
				csrFor(t, "other-token", "system:bootstrap:zzzzzz", nodeName, now, approved()),
				csrFor(t, "earlier", tokenUser, nodeName, now.Add(-time.Hour),
					certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateDenied, Status: corev1.ConditionTrue}),
			},
			wantErr: "the kubelet sent no certificate signing request",
		},
		{
			name:       "without a client only kubelet.conf is awaited",
			csrs:       []*certificatesv1.CertificateSigningRequest{csrFor(t, "mine", tokenUser, nodeName, now)},
			unfollowed: true,
			wantErr:    "('kubectl get csr')",
		},
		{
			name:    "timeout names the request to approve",
			csrs:    []*certificatesv1.CertificateSigningRequest{csrFor(t, "mine", tokenUser, nodeName, now)},
			want:    []State{Created, Pending},
			wantErr: "approve it with 'kubectl certificate approve mine'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset()
			for _, c := range tt.csrs {
				if _, err := client.CertificatesV1().CertificateSigningRequests().Create(context.Background(), c, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			var linesMu sync.Mutex
			var lines strings.Builder
			ctx, cancel := context.WithTimeout(progress.WithSink(context.Background(), func(m string) {
				linesMu.Lock()
				defer linesMu.Unlock()
				lines.WriteString(m)
			}), 2*time.Second)
			defer cancel()
			a := &approver{client: client}
			start := time.Now()
			var follow kube.Interface = kubefake.Wrap(client)
			if tt.unfollowed {
				follow = nil
			}
			err := Wait(ctx, Options{
				Client: follow, TokenID: "abcdef", NodeName: nodeName, Since: now.Add(-time.Minute),
				KubeletConf: "/etc/kubernetes/kubelet.conf", Check: a.check,
				onEvent: func(e Event) {
					a.record(e)
					if e.State == tt.approveOn {
						go a.issue(ctx, t, e.CSR)
					}
				},
				PendingAfter: 100 * time.Millisecond, Interval: 10 * time.Millisecond, Resync: 200 * time.Millisecond,
			})
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Wait: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Wait error = %v, want one containing %q", err, tt.wantErr)
			}
			var denied *DeniedError
			if errors.As(err, &denied) && time.Since(start) > time.Second {
				t.Errorf("a denied request failed the wait after %v, want at once", time.Since(start))
			}
			if got := a.states(); strings.Join(toStrings(got), ",") != strings.Join(toStrings(tt.want), ",") {
				t.Errorf("reported %v, want %v", got, tt.want)
			}
			linesMu.Lock()
			defer linesMu.Unlock()
			if slices.Contains(tt.want, Pending) && !strings.Contains(lines.String(), "\tkubectl certificate approve ") {
				t.Errorf("a pending request's progress does not say how to approve it:\n%s", lines.String())
			}
			if slices.Contains(tt.want, Issued) && !strings.Contains(lines.String(), "was signed: the kubelet has its client certificate") {
				t.Errorf("an issued certificate is not reported:\n%s", lines.String())
			}
		})
	}
}

func toStrings(states []State) []string {
	s := make([]string, len(states))
	for i, st := range states {
		s[i] = string(st)
	}
	return s
}

// TestWaitWakesOnTheFile checks that the wait reacts to kubelet.conf being
// written rather than to its tick: with a tick of an hour, it still ends
// once the file appears after the first check.
func TestWaitWakesOnTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := filepath.Join(dir, "kubelet.conf")
	checked := make(chan struct{}, 1)
	check := func(_ context.Context, path string) (string, error) {
		_, err := os.Stat(path)
		select {
		case checked <- struct{}{}:
		default:
		}
		if err != nil {
			return "", err
		}
		return "system:node:" + nodeName, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Wait(ctx, Options{KubeletConf: conf, Check: check, Interval: time.Hour}) }()
	<-checked // the first check found nothing: the wait now waits
	// Written as the kubelet writes it: a temporary file renamed into place.
	tmp := filepath.Join(dir, ".tmp")
	if err := os.WriteFile(tmp, []byte("kubeconfig"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, conf); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Wait: %v", err)
	}
}
