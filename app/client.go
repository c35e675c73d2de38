package app

import (
	"fmt"
	"sync"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// lazyClient builds a clientset from a kubeconfig file on first use and
// keeps it: phases that never talk to the cluster never pay for it.
type lazyClient struct {
	once   sync.Once
	client kubernetes.Interface
	err    error
}

func (l *lazyClient) get(kubeconfig string) (kubernetes.Interface, error) {
	l.once.Do(func() {
		cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			l.err = fmt.Errorf("load %s: %w", kubeconfig, err)
			return
		}
		l.client, l.err = kubernetes.NewForConfig(cfg)
	})
	return l.client, l.err
}
