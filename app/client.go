package app

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/clusteradmins"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/kubeconfig"
)

// lazyClient builds a clientset on first use and keeps it: phases that never
// talk to the cluster never pay for it.
type lazyClient struct {
	once   sync.Once
	client kube.Interface
	err    error
}

func (l *lazyClient) get(build func() (kube.Interface, error)) (kube.Interface, error) {
	l.once.Do(func() { l.client, l.err = build() })
	return l.client, l.err
}

func clientFromKubeconfig(path string) (kube.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return kube.NewForConfig(cfg)
}

// initClient is the client init's phases use: admin.conf's, once its group
// kubeadm:cluster-admins is bound to cluster-admin, which super-admin.conf
// (in system:masters) creates when admin.conf may not, as kubeadm does.
func initClient(ctx context.Context, adminConf, kubeconfigDir string, timeout time.Duration) (kube.Interface, error) {
	admin, err := clientFromKubeconfig(adminConf)
	if err != nil {
		return nil, err
	}
	var super kube.Interface
	superConf := filepath.Join(kubeconfigDir, kubeconfig.SuperAdminFile)
	if exists(superConf) {
		if super, err = clientFromKubeconfig(superConf); err != nil {
			return nil, err
		}
	}
	return clusteradmins.Ensure(ctx, admin, super, objects.Policy{Timeout: timeout})
}
