// Command kubeadm is upstream kubeadm, rebuilt from the Go module proxy as kadm's benchmark baseline.
package main

import (
	"k8s.io/kubernetes/cmd/kubeadm/app"
	utilerrors "k8s.io/kubernetes/cmd/kubeadm/app/util/errors"
)

func main() {
	utilerrors.HandleError(app.Run())
}
