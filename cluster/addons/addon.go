package addons

import (
	"k8s.io/apimachinery/pkg/runtime"
)

// Names shared by both addons.
const (
	// Namespace is where kubeadm keeps both addons.
	Namespace = "kube-system"
	// appLabel selects an addon's Pods; kubeadm spells it k8s-app.
	appLabel = "k8s-app"
	// osLabel keeps both addons on Linux nodes, the only ones their images run on.
	osLabel = "kubernetes.io/os"
	linux   = "linux"
)

// Patch targets of --patches, as kubeadm names them.
const (
	PatchTargetCoreDNSDeployment  = "corednsdeployment"
	PatchTargetKubeProxyDaemonSet = "kubeproxydaemonset"
)

// PatchFunc rewrites one generated object before kadm uses it, so that
// --patches reach the addons' workloads as they reach static Pods. It gets
// the object as YAML, for the target named above, and returns it (YAML or
// JSON) with every patch for that target applied; with no such patch it
// returns the object unchanged.
type PatchFunc func(target string, obj []byte) ([]byte, error)

// Addon is one addon's API objects in the order they are applied: the
// identities and permissions first, then configuration, then the workload,
// so that the workload never starts without what it mounts and uses.
type Addon struct {
	// Name is how progress lines call the addon: "CoreDNS" or "kube-proxy".
	Name    string
	objects []object
}

// object is one API object and how to treat a copy already in the cluster.
type object struct {
	// obj is a typed client-go object with its TypeMeta set.
	obj runtime.Object
	// keep, when set, reports whether a live copy must be left as it is:
	// a Corefile the user edited survives a rerun, as with kubeadm.
	keep func(live runtime.Object) bool
}

// Objects returns the addon's objects in apply order. They are the addon's
// own: callers must not change them.
func (a *Addon) Objects() []runtime.Object {
	out := make([]runtime.Object, len(a.objects))
	for i, o := range a.objects {
		out[i] = o.obj
	}
	return out
}

func (a *Addon) add(obj runtime.Object) {
	a.objects = append(a.objects, object{obj: obj})
}
