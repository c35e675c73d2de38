package joinphases

import (
	certificatesv1 "k8s.io/api/certificates/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// withInitialEvents makes the fake clientset's watches of certificate
// signing requests start as the API server's do without a resource
// version: every existing request first, as an ADDED event, then the
// changes. The fake's own watch starts with the changes only.
func withInitialEvents(cs *fake.Clientset) *fake.Clientset {
	cs.PrependWatchReactor("certificatesigningrequests", func(action k8stesting.Action) (bool, watch.Interface, error) {
		gvr := action.GetResource()
		live, err := cs.Tracker().Watch(gvr, "")
		if err != nil {
			return true, nil, err
		}
		obj, err := cs.Tracker().List(gvr, certificatesv1.SchemeGroupVersion.WithKind("CertificateSigningRequest"), "")
		if err != nil {
			live.Stop()
			return true, nil, err
		}
		existing := obj.(*certificatesv1.CertificateSigningRequestList).Items
		events := make(chan watch.Event)
		proxy := watch.NewProxyWatcher(events)
		go func() {
			defer live.Stop()
			defer close(events)
			send := func(e watch.Event) bool {
				select {
				case events <- e:
					return true
				case <-proxy.StopChan():
					return false
				}
			}
			for i := range existing {
				if !send(watch.Event{Type: watch.Added, Object: &existing[i]}) {
					return
				}
			}
			for e := range live.ResultChan() {
				if !send(e) {
					return
				}
			}
		}()
		return true, proxy, nil
	})
	return cs
}
