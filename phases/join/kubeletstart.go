package joinphases

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/tlsbootstrap"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/initsystem"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases"
)

// sinceSlack allows for clock skew between this host and the API server when
// telling this attempt's certificate signing requests from earlier ones.
const sinceSlack = 10 * time.Second

// host is the machine and the TLS-bootstrap checks kubelet-start uses;
// tests replace them.
type host struct {
	machine.Host
	// check tells whether a kubeconfig authenticates, and as whom.
	check func(ctx context.Context, path string) (string, error)
	// bootstrapped tells whether the kubelet's kubeconfig holds the
	// credentials a TLS bootstrap leaves, and for whom, without asking the
	// API server.
	bootstrapped func(ctx context.Context, path string) (string, error)
	// pendingAfter is how long a request waits before it is called pending;
	// zero is tlsbootstrap's default.
	pendingAfter time.Duration
}

func hostOf(d Data) host {
	return host{Host: d.Host(), check: tlsbootstrap.CheckKubeconfig, bootstrapped: tlsbootstrap.CertificateCheck}
}

// runKubeletStart prepares everything before it touches the host, so that a
// refusal (a Ready Node of the same name, a bad patch) leaves the host as it
// was; then it writes the kubelet's files and restarts it. Waiting for the
// kubelet and its TLS bootstrap is kubelet-wait-bootstrap's job: a
// control-plane node's kubelet bootstraps with this node's own API server,
// which only answers once etcd-join has added its etcd member.
func runKubeletStart(ctx context.Context, d Data, h host) (err error) {
	cfg := d.Cfg()
	tlsCfg, err := d.TLSBootstrapCfg(ctx)
	if err != nil {
		return err
	}
	state, err := d.InitCfg(ctx)
	if err != nil {
		return err
	}
	client, err := d.BootstrapClient(ctx)
	if err != nil {
		return err
	}
	hostname, err := h.Hostname()
	if err != nil {
		klog.Warning(err)
	}
	nodeName := kubelet.NodeName(&cfg.NodeRegistration, hostname)
	kubeletConf := filepath.Join(d.KubeConfigDir(), kubeconfig.KubeletFile)
	ownCredentials, err := existingCredentials(ctx, h, kubeletConf, nodeName)
	if err != nil {
		return err
	}
	if !ownCredentials {
		if err := refuseReadyNode(ctx, client, nodeName, cfg.Timeouts.KubernetesAPICall.Duration); err != nil {
			return err
		}
	}
	sys, sysErr := h.InitSystem()
	files, err := kubeletFiles(ctx, d, state, tlsCfg, sys, hostname)
	if err != nil {
		return err
	}

	if d.DryRun() {
		progress.Printf(ctx, "[kubelet-start] Would stop the kubelet\n")
		printFiles(ctx, files, ownCredentials)
		if err := writeDryRunFiles(ctx, d, files); err != nil {
			return err
		}
		progress.Printf(ctx, "[kubelet-start] Would start the kubelet\n")
		return nil
	}
	klog.V(1).Info("[kubelet-start] Stopping the kubelet")
	if err := initsystem.Stop(ctx, sys, kubelet.ServiceName); err != nil {
		klog.Warningf("[kubelet-start] unable to stop the kubelet service momentarily: %v", err)
	}
	// What this run wrote for a bootstrap it could not start is taken
	// back: the token must not stay on disk, and a CA this run wrote would
	// make the rerun's preflight (FileAvailable--etc-kubernetes-pki-ca.crt)
	// fail. A rerun writes both again.
	defer func() {
		if err == nil {
			return
		}
		if !ownCredentials {
			removeBootstrapConf(files.bootstrapPath)
		}
		if !files.caPresent {
			_ = os.Remove(files.caPath)
		}
	}()
	if err := writeFiles(ctx, files, ownCredentials); err != nil {
		return err
	}
	progress.Printf(ctx, "[kubelet-start] Starting the kubelet\n")
	phases.RestartKubelet(ctx, "kubelet-start", d.KubeletDir(), sys, sysErr)
	if cfg.ControlPlane != nil && !ownCredentials {
		progress.Printf(ctx, "[kubelet-start] The kubelet will finish its TLS bootstrap with this node's API server, once its etcd member has joined\n")
	}
	return nil
}

// removeBootstrapConf removes the bootstrap kubeconfig, which holds the
// token; a failure is only a warning.
func removeBootstrapConf(path string) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		klog.Warningf("[kubelet-start] could not remove %s, which holds the bootstrap token: %v", path, err)
	}
}

// existingCredentials tells whether kubelet.conf already holds this node's
// credentials: provided in advance (kubeadm's "custom kubelet credentials",
// with the FileAvailable check ignored) or from an earlier run that got this
// far. Then the TLS bootstrap is skipped. Credentials of another node are
// in the way; a file that does not authenticate is left for the kubelet,
// which bootstraps over it.
func existingCredentials(ctx context.Context, h host, path, nodeName string) (bool, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	user, err := h.check(ctx, path)
	if err != nil {
		progress.Printf(ctx, "[kubelet-start] WARNING: the existing %s does not authenticate (%v); the kubelet will replace it through the TLS bootstrap\n", path, err)
		return false, nil
	}
	if want := "system:node:" + nodeName; user != want {
		return false, fmt.Errorf("%s authenticates as %q, not as this node (%q): remove it, or join with the node name it was made for (--node-name)", path, user, want)
	}
	progress.Printf(ctx, "[kubelet-start] Using the credentials of node %q in %s: skipping the TLS bootstrap\n", nodeName, path)
	return true, nil
}

// refuseReadyNode stops a join that would take over a working node's name:
// the two kubelets would fight over one Node object.
func refuseReadyNode(ctx context.Context, client kube.Interface, nodeName string, timeout time.Duration) error {
	klog.V(1).Infof("[kubelet-start] Checking for an existing Node in the cluster with name %q and status %q", nodeName, corev1.NodeReady)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	node, err := client.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look up Node %q: %w", nodeName, err)
	}
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
			return fmt.Errorf("a Node named %q with status %q already exists in the cluster: the node name is taken; "+
				"join with another name (--node-name) or remove the old node first ('kubectl delete node %s')", nodeName, corev1.NodeReady, nodeName)
		}
	}
	return nil
}
