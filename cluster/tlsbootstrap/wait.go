package tlsbootstrap

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/internal/filewatch"
)

// Defaults for the zero fields of Options.
const (
	// DefaultPendingAfter is how long a request may wait for approval before
	// Wait calls it pending: auto-approval takes well under a second.
	DefaultPendingAfter = 5 * time.Second
	// DefaultInterval is the pause between two checks of kubelet.conf when
	// nothing announces a change: file-system notifications and the
	// request's issue wake the wait at once.
	DefaultInterval = time.Second
	// issuedInterval is the pause between two checks once the certificate
	// is issued, for hosts without file-system notifications: the kubelet
	// writes kubelet.conf within milliseconds of that.
	issuedInterval = 20 * time.Millisecond
	// defaultResync bounds how long one watch of the requests runs before
	// it is restarted from a fresh list.
	defaultResync = 30 * time.Second
	// probeTimeout bounds one request made with kubelet.conf.
	probeTimeout = 5 * time.Second
)

// Options says whose bootstrap to wait for and how to report it.
type Options struct {
	// Client acts as the bootstrap token, which may list and watch
	// certificate signing requests (system:node-bootstrapper); nil waits for
	// kubelet.conf alone.
	Client kube.Interface
	// TokenID is the bootstrap token's ID: the requests come from
	// system:bootstrap:<TokenID>.
	TokenID string
	// NodeName is the node the kubelet registers: its request's subject is
	// system:node:<NodeName>.
	NodeName string
	// Since is when the kubelet was (re)started: older requests belong to an
	// earlier attempt and are ignored. Zero takes all.
	Since time.Time
	// KubeletConf is the path of the kubeconfig the kubelet writes.
	KubeletConf string
	// Check tells whether kubelet.conf is usable; nil is CheckKubeconfig.
	Check func(ctx context.Context, path string) (user string, err error)
	// Program is the name kadm was invoked as, for the progress lines.
	Program string
	// onEvent sees each state of the node's request once; for tests.
	onEvent func(Event)
	// PendingAfter, Interval and Resync default to DefaultPendingAfter,
	// DefaultInterval and 30s.
	PendingAfter, Interval, Resync time.Duration
}

// Wait returns once kubelet.conf is usable; the caller bounds ctx with
// timeouts.tlsBootstrap. It checks kubelet.conf whenever a file in its
// directory changes, and on a slow tick in case no notification comes; it
// fails at once with a *DeniedError when the node's request is denied,
// instead of letting the user wait for nothing.
func Wait(ctx context.Context, o Options) error {
	check := o.Check
	if check == nil {
		check = CheckKubeconfig
	}
	interval := o.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := &csrTracker{
		client:       o.Client,
		username:     bootstrapapi.BootstrapUserPrefix + o.TokenID,
		subject:      "system:node:" + o.NodeName,
		since:        o.Since,
		pendingAfter: o.PendingAfter,
		resync:       o.Resync,
		program:      o.Program,
		onEvent:      o.onEvent,
		issued:       make(chan struct{}, 1),
	}
	if t.pendingAfter <= 0 {
		t.pendingAfter = DefaultPendingAfter
	}
	if t.resync <= 0 {
		t.resync = defaultResync
	}

	fctx, stop := context.WithCancel(ctx)
	defer stop()
	denied := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if t.client == nil {
			denied <- nil
			return
		}
		denied <- t.follow(fctx)
	}()
	// The tracker's state is read only after it has stopped.
	stopFollowing := func() State {
		stop()
		<-done
		return t.last
	}

	changed, err := filewatch.Watch(fctx, filepath.Dir(o.KubeletConf))
	if err != nil {
		klog.V(2).Infof("[kubelet-start] checking %s every %v: %v", o.KubeletConf, interval, err)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var last error
	for {
		_, err := check(ctx, o.KubeletConf)
		if err == nil {
			stopFollowing()
			t.settle(ctx)
			return nil
		}
		last = err
		select {
		case err := <-denied:
			if err != nil {
				return err
			}
			denied = nil
		case <-ctx.Done():
			state := stopFollowing()
			return timeoutError(ctx.Err(), o.KubeletConf, last, t.client != nil, t.name, state)
		case <-changed:
		case <-t.issued:
			tick.Reset(min(issuedInterval, interval))
		case <-tick.C:
		}
	}
}

// timeoutError says what was missing when the wait ended: kubelet.conf,
// and, when the requests were followed, how far the node's request got.
func timeoutError(cause error, path string, last error, followed bool, name string, state State) error {
	csr := "the kubelet sent no certificate signing request (is it running? 'journalctl -xeu kubelet')"
	switch {
	case !followed:
		csr = "check the kubelet's logs ('journalctl -xeu kubelet') and its certificate signing requests ('kubectl get csr')"
	case name != "":
		csr = fmt.Sprintf("its certificate signing request %q is %s", name, state)
		if state == Created || state == Pending {
			csr += "; approve it with 'kubectl certificate approve " + name + "'"
		}
	}
	return fmt.Errorf("the kubelet did not complete its TLS bootstrap (%w): %s is not usable (%v); %s", cause, path, last, csr)
}

// ErrAnonymous is CheckKubeconfig's answer for a kubeconfig the API server
// takes for no user at all.
var ErrAnonymous = errors.New("the API server authenticates it as anonymous")

// CheckKubeconfig tells whether the kubeconfig at path, with every file it
// names, authenticates to its API server, and as whom: a file that merely
// exists is not enough, its client certificate must be accepted.
func CheckKubeconfig(ctx context.Context, path string) (string, error) {
	client, err := kube.NewFromFile(path, "", probeTimeout)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	review, err := client.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("authenticate with %s: %w", path, err)
	}
	user := review.Status.UserInfo.Username
	if user == "" || user == "system:anonymous" {
		return "", ErrAnonymous
	}
	return user, nil
}
