// Command kubeadm is upstream kubeadm, rebuilt from the Go module proxy at the previous minor release: it makes the cluster kadm's upgrade e2e tests start from.
package main

import (
	"k8s.io/kubernetes/cmd/kubeadm/app"
	utilerrors "k8s.io/kubernetes/cmd/kubeadm/app/util/errors"
)

func main() {
	utilerrors.HandleError(app.Run())
}
