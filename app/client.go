package app

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/kadm-project/kadm/cluster/clusteradmins"
	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
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

// clientFromKubeconfig is the API client of the kubeconfig at path for
// commands without a configuration's timeouts: kubeadm's default
// kubernetesAPICall bounds the wait for each answer.
func clientFromKubeconfig(path string) (kube.Interface, error) {
	return kube.NewFromFile(path, "", config.DefaultKubernetesAPICallTimeout)
}

// initClient is the client init's phases use: admin.conf's, once its group
// kubeadm:cluster-admins is bound to cluster-admin, which super-admin.conf
// (in system:masters) creates when admin.conf may not, as kubeadm does.
// With a server, both talk to it rather than to the server their files
// name: as kubeadm v1.37's, init talks to this node's own API server while
// it runs, so that a load balancer at controlPlaneEndpoint that does not
// answer yet does not fail it.
func initClient(ctx context.Context, adminConf, kubeconfigDir, server string, timeout time.Duration) (kube.Interface, error) {
	admin, err := kube.NewFromFile(adminConf, server, timeout)
	if err != nil {
		return nil, err
	}
	var super kube.Interface
	superConf := filepath.Join(kubeconfigDir, kubeconfig.SuperAdminFile)
	if exists(superConf) {
		if super, err = kube.NewFromFile(superConf, server, timeout); err != nil {
			return nil, err
		}
	}
	return clusteradmins.Ensure(ctx, admin, super, objects.Policy{Timeout: timeout})
}
