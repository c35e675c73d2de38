package joinphases

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/initsystem"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/pkiutil"
)

// nodeFiles is everything kubelet-start writes, computed before anything is.
type nodeFiles struct {
	bootstrapPath string
	bootstrap     *clientcmdapi.Config
	caPath        string
	ca            []byte
	// caPresent: caPath already holds ca, and is kept.
	caPresent    bool
	kubeletDir   string
	kubeletFiles []kubeletFile
}

type kubeletFile struct {
	name, what string
	data       []byte
}

// kubeletFiles computes the kubelet's files: the bootstrap kubeconfig named
// after the cluster, as kubeadm names it, the CA, and the kubelet's
// configuration with the user's patches.
func kubeletFiles(ctx context.Context, d Data, state *ClusterState, tlsCfg *clientcmdapi.Config, sys initsystem.InitSystem, hostname string) (*nodeFiles, error) {
	cfg := d.Cfg()
	bootstrap, cluster, err := renameCluster(tlsCfg, state.Cluster.ClusterName)
	if err != nil {
		return nil, err
	}
	ca, err := caData(cluster)
	if err != nil {
		return nil, err
	}
	if cp := cfg.ControlPlane; cp != nil {
		// The kubelet of a control-plane node bootstraps with its own API
		// server, which becomes available with the etcd member.
		if cluster.Server, err = kubeconfig.LocalURL(cp.LocalAPIEndpoint); err != nil {
			return nil, err
		}
	}
	f := &nodeFiles{
		bootstrapPath: filepath.Join(d.KubeConfigDir(), kubeconfig.BootstrapKubeletFile),
		bootstrap:     bootstrap,
		caPath:        cfg.CACertPath,
		ca:            ca,
		kubeletDir:    d.KubeletDir(),
	}
	switch have, err := os.ReadFile(f.caPath); {
	case err == nil && bytes.Equal(bytes.TrimSpace(have), bytes.TrimSpace(ca)):
		f.caPresent = true
	case err == nil:
		return nil, fmt.Errorf("%s holds another CA certificate than the cluster's: remove it (or set caCertPath elsewhere) and run join again", f.caPath)
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("read %s: %w", f.caPath, err)
	}

	set, err := d.Patches(ctx)
	if err != nil {
		return nil, err
	}
	node := kubelet.Node{
		CRISocket:       cfg.NodeRegistration.CRISocket,
		SystemdResolved: kubelet.ResolvedActive(ctx, sys),
		Patch:           phases.Patcher(ctx, set),
	}
	config, warnings, err := kubelet.NodeConfig(state.Kubelet, node)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		klog.Warning(w)
	}
	f.kubeletFiles = []kubeletFile{
		// Workers register with their taints: no later phase marks them.
		// A control-plane node gets them from mark-control-plane.
		{kubelet.FlagsFileName, "environment file with flags", kubelet.FlagsEnv(kubelet.Flags(&cfg.NodeRegistration, hostname, cfg.ControlPlane == nil))},
		{kubelet.InstanceConfigFileName, "configuration", kubelet.InstanceConfig(node.CRISocket)},
		{kubelet.ConfigFileName, "configuration", config},
	}
	return f, nil
}

// renameCluster copies cfg with its current context's cluster renamed to
// name, the cluster's clusterName.
func renameCluster(cfg *clientcmdapi.Config, name string) (*clientcmdapi.Config, *clientcmdapi.Cluster, error) {
	out := cfg.DeepCopy()
	cluster, _, err := kubeconfig.Current(out)
	if err != nil {
		return nil, nil, fmt.Errorf("the bootstrap kubeconfig from discovery is malformed: %w", err)
	}
	kctx := out.Contexts[out.CurrentContext]
	out.Clusters = map[string]*clientcmdapi.Cluster{name: cluster}
	kctx.Cluster = name
	return out, cluster, nil
}

// caData is the cluster CA's certificate as the kubelet must trust it.
func caData(c *clientcmdapi.Cluster) ([]byte, error) {
	if len(c.CertificateAuthorityData) > 0 {
		return c.CertificateAuthorityData, nil
	}
	if c.CertificateAuthority == "" {
		return nil, errors.New("the bootstrap kubeconfig from discovery names no certificate authority: the kubelet could not trust the API server")
	}
	data, err := os.ReadFile(c.CertificateAuthority)
	if err != nil {
		return nil, fmt.Errorf("read the cluster CA named by the discovery kubeconfig: %w", err)
	}
	return data, nil
}

// writeFiles writes the bootstrap kubeconfig (unless the node has its own
// credentials), the CA (unless present) and the kubelet's files.
func writeFiles(ctx context.Context, f *nodeFiles, ownCredentials bool) error {
	if !ownCredentials {
		klog.V(1).Infof("[kubelet-start] Writing the bootstrap kubelet config file at %s", f.bootstrapPath)
		if err := kubeconfig.Write(f.bootstrapPath, f.bootstrap); err != nil {
			return err
		}
	}
	if !f.caPresent {
		klog.V(1).Infof("[kubelet-start] Writing the CA certificate at %s", f.caPath)
		if err := atomicfile.Dir(filepath.Dir(f.caPath), pkiutil.DirMode); err != nil {
			return fmt.Errorf("the directory of %s: %w", f.caPath, err)
		}
		if err := atomicfile.Write(f.caPath, f.ca, pkiutil.CertMode); err != nil {
			return err
		}
	}
	for _, k := range f.kubeletFiles {
		progress.Printf(ctx, "[kubelet-start] Writing kubelet %s to file %q\n", k.what, filepath.Join(f.kubeletDir, k.name))
		if err := kubelet.WriteFile(f.kubeletDir, k.name, k.data); err != nil {
			return err
		}
	}
	return nil
}

// writeDryRunFiles writes into the dry run's directory what writeFiles
// would write, except the bootstrap kubeconfig: it holds the token.
func writeDryRunFiles(ctx context.Context, d Data, f *nodeFiles) error {
	dry := *f
	dry.caPath, dry.kubeletDir = d.DryRunPath(f.caPath), d.DryRunPath(f.kubeletDir)
	return writeFiles(ctx, &dry, true)
}

// printFiles says what writeFiles would write. The bootstrap kubeconfig
// holds the token's secret, so only its path is shown.
func printFiles(ctx context.Context, f *nodeFiles, ownCredentials bool) {
	if !ownCredentials {
		progress.Printf(ctx, "[dryrun] Would write file %q (the bootstrap kubeconfig; it holds the token, so it is not shown)\n", f.bootstrapPath)
	}
	if !f.caPresent {
		progress.Printf(ctx, "[dryrun] Would write file %q with the cluster CA certificate\n", f.caPath)
	}
	for _, k := range f.kubeletFiles {
		progress.Printf(ctx, "[dryrun] Would write file %q with content:\n%s", filepath.Join(f.kubeletDir, k.name), phases.Indent(k.data))
	}
}
