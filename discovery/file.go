package discovery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/internal/progress"
)

// discoverFile reads a discovery kubeconfig from the local disk: the file is trusted as the
// operator's own, so nothing is fetched to confirm it.
func discoverFile(ctx context.Context, path, tlsToken string, o Options) (*clientcmdapi.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the discovery file: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve the discovery file path %q: %w", path, err)
	}
	out, err := parseDiscoveryKubeconfig(ctx, data, filepath.Dir(abs), tlsToken, o)
	if err != nil {
		return nil, fmt.Errorf("discovery file %q: %w", path, err)
	}
	return out, nil
}

// parseDiscoveryKubeconfig reads a discovery kubeconfig, local (baseDir is its directory)
// or downloaded (baseDir empty), and turns it into the bootstrap kubeconfig.
func parseDiscoveryKubeconfig(ctx context.Context, data []byte, baseDir, tlsToken string, o Options) (*clientcmdapi.Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: it is empty, where a kubeconfig with the cluster's address and CA belongs (cluster-info's, for instance: "+
			"'kubectl -n kube-public get cm cluster-info -o jsonpath={.data.kubeconfig}')", ErrMalformed)
	}
	cfg, err := clientcmd.Load(data)
	if err != nil {
		return nil, fmt.Errorf("%w: it does not parse as a kubeconfig: %v", ErrMalformed, err)
	}
	return bootstrapFromKubeconfig(ctx, cfg, baseDir, tlsToken, o)
}

// bootstrapFromKubeconfig turns a discovery kubeconfig into the bootstrap kubeconfig: its
// cluster with the CA embedded, and as credentials the TLS bootstrap token when one was
// given (it wins over the file's, as with kubeadm), else the file's own. baseDir resolves
// the file references of a local file; it is empty for a downloaded one, whose CA must
// then be embedded and whose credentials may not run a program or name a file.
func bootstrapFromKubeconfig(ctx context.Context, cfg *clientcmdapi.Config, baseDir, tlsToken string, o Options) (*clientcmdapi.Config, error) {
	clusterName, authName, err := pickContext(cfg)
	if err != nil {
		return nil, err
	}
	cluster := cfg.Clusters[clusterName].DeepCopy()
	if err := requireHTTPS(cluster.Server); err != nil {
		return nil, fmt.Errorf("cluster %q: %w", clusterName, err)
	}
	if err := embedCA(cluster, baseDir); err != nil {
		return nil, fmt.Errorf("cluster %q: %w", clusterName, err)
	}
	auth := cfg.AuthInfos[authName]
	switch {
	case tlsToken != "" && hasCredentials(auth):
		progress.Printf(ctx, "[discovery] Using the TLS bootstrap token instead of the credentials %q of the discovery kubeconfig\n", authName)
		return tokenKubeconfig(cluster.Server, cluster.CertificateAuthorityData, tlsToken), nil
	case tlsToken != "":
		progress.Printf(ctx, "[discovery] The discovery kubeconfig has no credentials; using the TLS bootstrap token\n")
		return tokenKubeconfig(cluster.Server, cluster.CertificateAuthorityData, tlsToken), nil
	case !hasCredentials(auth):
		return nil, errors.New("it has no credentials and no TLS bootstrap token was given: pass --tls-bootstrap-token (or --token), or add credentials to the file")
	}
	if kinds := nodeCredentials(auth); baseDir == "" && len(kinds) > 0 {
		return nil, fmt.Errorf("%w: its credentials %q use %s, which would run a program or read a file of this node: pass --tls-bootstrap-token, or download the file yourself and pass its path as --discovery-file",
			ErrCredentials, authName, strings.Join(kinds, ", "))
	}
	progress.Printf(ctx, "[discovery] Using the credentials %q from the discovery kubeconfig\n", authName)
	auth = auth.DeepCopy()
	absolutize(&auth.TokenFile, baseDir)
	absolutize(&auth.ClientCertificate, baseDir)
	absolutize(&auth.ClientKey, baseDir)
	ctxName := authName + "@" + clusterName
	out := clientcmdapi.NewConfig()
	out.Clusters[clusterName] = cluster
	out.AuthInfos[authName] = auth
	out.Contexts[ctxName] = &clientcmdapi.Context{Cluster: clusterName, AuthInfo: authName}
	out.CurrentContext = ctxName
	return out, nil
}

// pickContext finds the cluster and credentials the kubeconfig means: its current context,
// or its only context, or else its only cluster without credentials.
func pickContext(cfg *clientcmdapi.Config) (cluster, auth string, err error) {
	if len(cfg.Clusters) == 0 {
		return "", "", errors.New("it defines no cluster")
	}
	name := cfg.CurrentContext
	if name == "" && len(cfg.Contexts) == 1 {
		for n := range cfg.Contexts {
			name = n
		}
	}
	if name == "" {
		c, _, err := singleCluster(cfg)
		return c, "", err
	}
	kctx, ok := cfg.Contexts[name]
	if !ok || kctx == nil {
		return "", "", fmt.Errorf("its context %q is not defined", name)
	}
	if c, ok := cfg.Clusters[kctx.Cluster]; !ok || c == nil {
		return "", "", fmt.Errorf("context %q names cluster %q, which is not defined", name, kctx.Cluster)
	}
	return kctx.Cluster, kctx.AuthInfo, nil
}

// embedCA puts the CA into the cluster itself, since the bootstrap kubeconfig is written
// elsewhere and must not depend on the discovery file's neighbours.
func embedCA(c *clientcmdapi.Cluster, baseDir string) error {
	if c.InsecureSkipTLSVerify {
		return errors.New("insecure-skip-tls-verify is set: discovery needs the cluster CA")
	}
	if len(c.CertificateAuthorityData) > 0 {
		c.CertificateAuthority = ""
		return nil
	}
	if c.CertificateAuthority == "" {
		return errors.New("no certificate-authority-data or certificate-authority: discovery needs the cluster CA")
	}
	if baseDir == "" {
		return fmt.Errorf("certificate-authority %q refers to a file, which a downloaded kubeconfig cannot do: embed it as certificate-authority-data", c.CertificateAuthority)
	}
	path := c.CertificateAuthority
	absolutize(&path, baseDir)
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read the cluster CA: %w", err)
	}
	c.CertificateAuthorityData = data
	c.CertificateAuthority = ""
	return nil
}

// absolutize resolves a path relative to the kubeconfig that named it, as kubectl does, so
// it still means the same file once the kubeconfig is written somewhere else.
func absolutize(p *string, baseDir string) {
	if *p != "" && baseDir != "" && !filepath.IsAbs(*p) {
		*p = filepath.Join(baseDir, *p)
	}
}
