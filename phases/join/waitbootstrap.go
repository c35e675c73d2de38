package joinphases

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/tlsbootstrap"
	"github.com/kadm-project/kadm/config/componentconfig"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/phases"
)

// runKubeletWaitBootstrap waits, within timeouts.kubeletHealthCheck, for the
// kubelet's /healthz at the address its config.yaml gives, then, within
// timeouts.tlsBootstrap, for its TLS bootstrap: a kubelet.conf that holds
// this node's credentials. Meanwhile it says what becomes of the kubelet's
// certificate signing request, asking the API server the kubelet
// bootstraps with (a control-plane node's own, once etcd-join made it
// available). The bootstrap kubeconfig, which holds the
// token, is removed whatever the outcome, as kubeadm does; so is a worker's
// copy of the cluster CA when the bootstrap did not complete, so that a
// rerun of the join starts clean.
func runKubeletWaitBootstrap(ctx context.Context, d Data, h host) (err error) {
	if d.DryRun() {
		progress.Printf(ctx, "[kubelet-wait] Would wait for the kubelet to be bootstrapped\n")
		return nil
	}
	cfg := d.Cfg()
	kc, err := kubeletConfig(d)
	if err != nil {
		return err
	}
	bootstrapConf := filepath.Join(d.KubeConfigDir(), kubeconfig.BootstrapKubeletFile)
	fi, err := os.Stat(bootstrapConf)
	bootstrapping := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if bootstrapping {
		defer func() {
			if err != nil && cfg.ControlPlane == nil {
				removeBootstrapCA(cfg.CACertPath, bootstrapConf)
			}
			removeBootstrapConf(bootstrapConf)
		}()
	}
	if err := phases.WaitKubeletHealthy(ctx, kc, cfg.Timeouts.KubeletHealthCheck.Duration); err != nil {
		return err
	}
	// The kubelet's certificate signing request is followed with the
	// kubelet's own bootstrap credentials, so this phase needs no
	// discovery: run alone it takes no discovery flags, as kubeadm's.
	var client kube.Interface
	var tlsCfg *clientcmdapi.Config
	var since time.Time
	if bootstrapping {
		if tlsCfg, err = kubeconfig.Load(bootstrapConf); err != nil {
			return err
		}
		if client, err = d.Clientset(tlsCfg); err != nil {
			return err
		}
		// The kubelet's requests date from kubelet-start, which wrote the file.
		since = fi.ModTime().Add(-sinceSlack)
	}
	hostname, err := h.Hostname()
	if err != nil {
		klog.Warning(err)
	}
	return waitBootstrap(ctx, d, h, client, tlsCfg, kubelet.NodeName(&cfg.NodeRegistration, hostname), since)
}

// kubeletConfig is the configuration kubelet-start wrote, which the kubelet
// runs with: the wait asks for its health where it listens.
func kubeletConfig(d Data) (*componentconfig.KubeletConfiguration, error) {
	path := filepath.Join(d.KubeletDir(), kubelet.ConfigFileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s does not exist: the kubelet has no configuration yet; run '%s join phase kubelet-start' first", path, d.Program())
	}
	if err != nil {
		return nil, err
	}
	kc, err := kubelet.DecodeConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return kc, nil
}

// removeBootstrapCA removes the CA at caPath when it is the one the
// bootstrap kubeconfig trusts, which kubelet-start wrote for it.
func removeBootstrapCA(caPath, bootstrapConf string) {
	cfg, err := kubeconfig.Load(bootstrapConf)
	if err != nil {
		return
	}
	cluster, _, err := kubeconfig.Current(cfg)
	if err != nil {
		return
	}
	have, err := os.ReadFile(caPath)
	if err != nil || !bytes.Equal(bytes.TrimSpace(have), bytes.TrimSpace(cluster.CertificateAuthorityData)) {
		return
	}
	if err := os.Remove(caPath); err != nil {
		klog.Warningf("[kubelet-wait] could not remove %s, written for a TLS bootstrap that did not complete: %v", caPath, err)
	}
}

// waitBootstrap waits, up to timeouts.tlsBootstrap, for the kubelet to turn
// bootstrap-kubelet.conf into a kubelet.conf that works, and says meanwhile
// what becomes of its certificate signing request. Without a client only
// kubelet.conf is watched.
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
// with, empty when there is none or it uses other credentials.
func bootstrapTokenID(tlsCfg *clientcmdapi.Config) string {
	if tlsCfg == nil {
		return ""
	}
	_, user, err := kubeconfig.Current(tlsCfg)
	if err != nil || user == nil || !bootstraputil.IsValidBootstrapToken(user.Token) {
		return ""
	}
	id, _, _ := strings.Cut(user.Token, ".")
	return id
}
