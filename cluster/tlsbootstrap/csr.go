package tlsbootstrap

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/internal/progress"
)

// State is a stage of a kubelet client certificate signing request.
type State string

// The states Wait reports, each at most once per request.
const (
	// Created: the kubelet has sent its request.
	Created State = "created"
	// Pending: the request has waited PendingAfter without approval;
	// auto-approval is probably off and someone must approve it.
	Pending State = "pending"
	// Approved: the request was approved; the signer has yet to issue.
	Approved State = "approved"
	// Issued: the certificate is in the request's status.
	Issued State = "issued"
)

// Event is one state change of the node's request.
type Event struct {
	// CSR is the request's name, for `kubectl certificate approve`.
	CSR   string
	State State
}

// DeniedError is the end of a bootstrap whose request was denied or whose
// signing failed: the kubelet cannot go on with that request.
type DeniedError struct {
	CSR, Condition, Reason, Message string
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("certificate signing request %q was %s (reason %q: %s): see 'kubectl describe csr %s', then delete the kubelet's request and run join again",
		e.CSR, e.Condition, e.Reason, e.Message, e.CSR)
}

// minWatch is the shortest watch after which the tracker lists again at
// once; a shorter one is followed by a pause of that length.
const minWatch = time.Second

// csrTracker follows the newest kubelet client request of one bootstrap
// token user and reports each state once.
type csrTracker struct {
	client       kube.Interface
	username     string
	subject      string
	since        time.Time
	pendingAfter time.Duration
	resync       time.Duration
	program      string
	onEvent      func(Event)
	// issued receives a value once the certificate is issued.
	issued chan struct{}

	name      string
	created   metav1.Time
	firstSeen time.Time
	reported  map[State]bool
	// last is the newest request's state, for the timeout message.
	last State
}

// follow watches the requests. A watch started without a resource version
// first delivers every existing request, so one request does what a list
// and a watch would; it is restarted every resync. It returns a
// *DeniedError, or nil when ctx ends.
func (t *csrTracker) follow(ctx context.Context) error {
	csrs := t.client.CertificatesV1().CertificateSigningRequests()
	for ctx.Err() == nil {
		started := time.Now()
		if err := t.watch(ctx, csrs.Watch, kubeletRequests()); err != nil {
			return err
		}
		if time.Since(started) >= minWatch {
			continue
		}
		// A watch the server refused or ended at once: pause rather than
		// ask again in a tight loop.
		select {
		case <-ctx.Done():
		case <-time.After(min(t.resync, minWatch)):
		}
	}
	return nil
}

// settle completes the report once kubelet.conf works. The node's request
// was signed then, seen or not, so that needs no request; only when the
// watch had not yet delivered the request at all is it listed once, so the
// user learns which request it was.
func (t *csrTracker) settle(ctx context.Context) {
	if t.client == nil {
		return
	}
	if t.name != "" {
		t.emit(ctx, Issued)
		return
	}
	list, err := t.client.CertificatesV1().CertificateSigningRequests().List(ctx, kubeletRequests())
	if err != nil {
		klog.V(2).Infof("[kubelet-start] cannot list certificate signing requests: %v", err)
		return
	}
	for i := range list.Items {
		// A denial no longer matters: the kubelet has its credentials.
		_ = t.observe(ctx, &list.Items[i])
	}
}

// kubeletRequests selects the requests for kubelet client certificates on
// the server; the user and subject are filtered here, as no selector has them.
func kubeletRequests() metav1.ListOptions {
	return metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.signerName", certificatesv1.KubeAPIServerClientKubeletSignerName).String()}
}

type watchFunc func(context.Context, metav1.ListOptions) (watch.Interface, error)

// watch follows the requests for one resync period, checking meanwhile
// whether a request has waited long enough to be called pending.
func (t *csrTracker) watch(ctx context.Context, start watchFunc, opts metav1.ListOptions) error {
	wctx, cancel := context.WithTimeout(ctx, t.resync)
	defer cancel()
	var events <-chan watch.Event
	if w, err := start(wctx, opts); err != nil {
		klog.V(2).Infof("[kubelet-start] cannot watch certificate signing requests: %v", err)
	} else {
		defer w.Stop()
		events = w.ResultChan()
	}
	tick := time.NewTicker(min(t.pendingAfter, t.resync) / 4)
	defer tick.Stop()
	for {
		t.checkPending(ctx)
		select {
		case <-wctx.Done():
			return nil
		case <-tick.C:
		case e, ok := <-events:
			if !ok {
				// The server closed the watch: list again.
				return nil
			}
			if csr, isCSR := e.Object.(*certificatesv1.CertificateSigningRequest); isCSR && e.Type != watch.Deleted {
				if err := t.observe(ctx, csr); err != nil {
					return err
				}
			}
		}
	}
}

// observe takes one request into account: only the newest of this node's
// requests matters, since the kubelet resubmits after a failure.
func (t *csrTracker) observe(ctx context.Context, csr *certificatesv1.CertificateSigningRequest) error {
	if !t.mine(csr) {
		return nil
	}
	if t.name != csr.Name {
		if t.name != "" && !csr.CreationTimestamp.After(t.created.Time) {
			return nil
		}
		t.name, t.created, t.firstSeen, t.reported = csr.Name, csr.CreationTimestamp, time.Now(), map[State]bool{}
		t.emit(ctx, Created)
	}
	for _, c := range csr.Status.Conditions {
		if c.Status == corev1.ConditionFalse {
			continue
		}
		switch c.Type {
		case certificatesv1.CertificateDenied, certificatesv1.CertificateFailed:
			condition := "denied"
			if c.Type == certificatesv1.CertificateFailed {
				condition = "not signed"
			}
			return &DeniedError{CSR: csr.Name, Condition: condition, Reason: c.Reason, Message: c.Message}
		case certificatesv1.CertificateApproved:
			t.emit(ctx, Approved)
		}
	}
	if len(csr.Status.Certificate) > 0 {
		t.emit(ctx, Issued)
	}
	return nil
}

// mine tells whether csr is this node's: sent by the bootstrap user, for
// the kubelet client signer, with the node's name as its subject. Several
// nodes may join with one token at once, so the user alone does not tell.
// Requests older than the kubelet's restart belong to an earlier attempt.
func (t *csrTracker) mine(csr *certificatesv1.CertificateSigningRequest) bool {
	if csr.Spec.Username != t.username || csr.Spec.SignerName != certificatesv1.KubeAPIServerClientKubeletSignerName {
		return false
	}
	if !t.since.IsZero() && !csr.CreationTimestamp.IsZero() && csr.CreationTimestamp.Time.Before(t.since) {
		return false
	}
	block, _ := pem.Decode(csr.Spec.Request)
	if block == nil {
		return false
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	return err == nil && req.Subject.CommonName == t.subject
}

func (t *csrTracker) checkPending(ctx context.Context) {
	if t.name == "" || t.reported[Approved] || t.reported[Issued] || time.Since(t.firstSeen) < t.pendingAfter {
		return
	}
	t.emit(ctx, Pending)
}

// emit reports each state of the request once, in kubeadm's words.
func (t *csrTracker) emit(ctx context.Context, s State) {
	t.last = s
	if t.reported[s] {
		return
	}
	t.reported[s] = true
	switch s {
	case Created:
		progress.Printf(ctx, "[kubelet-start] The kubelet sent certificate signing request %q\n", t.name)
	case Pending:
		progress.Printf(ctx, "[kubelet-start] Certificate signing request %q is not approved yet. If the cluster does not approve node requests automatically, approve it from a control-plane node:\n", t.name)
		progress.Printf(ctx, "\n\tkubectl certificate approve %s\n\n", t.name)
		progress.Printf(ctx, "[kubelet-start] %s keeps waiting for the approval\n", t.program)
	case Approved:
		progress.Printf(ctx, "[kubelet-start] Certificate signing request %q was approved\n", t.name)
	case Issued:
		progress.Printf(ctx, "[kubelet-start] Certificate signing request %q was signed: the kubelet has its client certificate\n", t.name)
	}
	if s == Issued {
		select {
		case t.issued <- struct{}{}:
		default:
		}
	}
	if t.onEvent != nil {
		t.onEvent(Event{CSR: t.name, State: s})
	}
}
