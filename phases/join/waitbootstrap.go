package joinphases

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/cluster/tlsbootstrap"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/phases/workflow"
)

// waitBootstrap waits, up to timeouts.tlsBootstrap, for the kubelet to turn
// bootstrap-kubelet.conf into a kubelet.conf that works, and says meanwhile
// what becomes of its certificate signing request.
func waitBootstrap(ctx context.Context, d Data, h host, client kubernetes.Interface, tlsCfg *clientcmdapi.Config, nodeName string, since time.Time) error {
	timeout := d.Cfg().Timeouts.TLSBootstrap.Duration
	workflow.Printf(ctx, "[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap\n")
	o := tlsbootstrap.Options{
		TokenID:      bootstrapTokenID(tlsCfg),
		NodeName:     nodeName,
		Since:        since,
		KubeletConf:  filepath.Join(d.KubeConfigDir(), kubeconfig.KubeletFile),
		Check:        h.bootstrapped,
		Report:       func(e tlsbootstrap.Event) { reportCSR(ctx, d.Program(), e) },
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

func reportCSR(ctx context.Context, program string, e tlsbootstrap.Event) {
	switch e.State {
	case tlsbootstrap.Created:
		workflow.Printf(ctx, "[kubelet-start] The kubelet sent certificate signing request %q\n", e.CSR)
	case tlsbootstrap.Pending:
		workflow.Printf(ctx, "[kubelet-start] Certificate signing request %q is not approved yet. If the cluster does not approve node requests automatically, approve it from a control-plane node:\n", e.CSR)
		workflow.Printf(ctx, "\n\tkubectl certificate approve %s\n\n", e.CSR)
		workflow.Printf(ctx, "[kubelet-start] %s keeps waiting for the approval\n", program)
	case tlsbootstrap.Approved:
		workflow.Printf(ctx, "[kubelet-start] Certificate signing request %q was approved\n", e.CSR)
	case tlsbootstrap.Issued:
		workflow.Printf(ctx, "[kubelet-start] Certificate signing request %q was signed: the kubelet has its client certificate\n", e.CSR)
	}
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
