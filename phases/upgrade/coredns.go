package upgradephases

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/cluster/addons"
	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/config"
)

// coreDNSMigration is kubeadm's CoreDNSMigration check. kubeadm rewrites an edited
// Corefile for the new CoreDNS; kadm keeps it as written, since a rewrite can break what
// the user wrote, and warns that the new CoreDNS must read it.
type coreDNSMigration struct {
	client  kube.Interface
	cluster *config.ClusterConfiguration
}

func (coreDNSMigration) Name() string { return "CoreDNSMigration" }

func (c coreDNSMigration) Check(ctx context.Context) (warnings, errs []error) {
	if c.cluster.DNS.Disabled {
		return nil, nil
	}
	cm, err := c.client.CoreV1().ConfigMaps(addons.Namespace).Get(ctx, addons.CoreDNSConfigMap, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, []error{fmt.Errorf("read the %s/%s ConfigMap: %w", addons.Namespace, addons.CoreDNSConfigMap, err)}
	}
	if addons.EditedCorefile(cm) {
		return []error{fmt.Errorf("the Corefile in %s/%s was edited: it is kept as it is; check that %s reads it",
			addons.Namespace, addons.CoreDNSConfigMap, config.CoreDNSImage(c.cluster))}, nil
	}
	return nil, nil
}
