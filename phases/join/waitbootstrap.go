package joinphases

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/tlsbootstrap"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
)

// waitBootstrap waits, up to timeouts.tlsBootstrap, for the kubelet to turn
// bootstrap-kubelet.conf into a kubelet.conf that works, and says meanwhile
// what becomes of its certificate signing request.
func waitBootstrap(ctx context.Context, d Data, h host, client kube.Interface, tlsCfg *clientcmdapi.Config, nodeName string, since time.Time) error {
	timeout := d.Cfg().Timeouts.TLSBootstrap.Duration
	progress.Printf(ctx, "[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap\n")
	o := tlsbootstrap.Options{
		TokenID:      bootstrapTokenID(tlsCfg),
		NodeName:     nodeName,
		Since:        since,
		KubeletConf:  filepath.Join(d.KubeConfigDir(), kubeconfig.KubeletFile),
		Check:        h.bootstrapped,
		Program:      d.Program(),
		PendingAfter: h.pendingAfter,
	}
	// Without a bootstrap token (file discovery with other credentials) the
	// node's requests cannot be told apart from others: only kubelet.conf
	// is watched.
	if o.TokenID != "" {
		o.Client = client
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return tlsbootstrap.Wait(wctx, o)
}

// bootstrapTokenID is the ID of the bootstrap token tlsCfg authenticates
// with, empty when it uses other credentials.
func bootstrapTokenID(tlsCfg *clientcmdapi.Config) string {
	_, user, err := kubeconfig.Current(tlsCfg)
	if err != nil || user == nil || !bootstraputil.IsValidBootstrapToken(user.Token) {
		return ""
	}
	id, _, _ := strings.Cut(user.Token, ".")
	return id
}
