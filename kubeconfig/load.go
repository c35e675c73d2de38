package kubeconfig

import (
	"errors"
	"fmt"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Load reads the kubeconfig at path. Relative file references in it
// (certificate-authority, client-certificate, client-key) are made absolute
// against the file's directory, as kubectl reads them. A missing file gives
// an error that matches fs.ErrNotExist.
func Load(path string) (*clientcmdapi.Config, error) {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig %s: %w", path, err)
	}
	if err := clientcmd.ResolveLocalPaths(cfg); err != nil {
		return nil, fmt.Errorf("resolve file references in kubeconfig %s: %w", path, err)
	}
	return cfg, nil
}

// Current returns the cluster and the user of cfg's current context. The
// user is nil when the context names none (anonymous access).
func Current(cfg *clientcmdapi.Config) (*clientcmdapi.Cluster, *clientcmdapi.AuthInfo, error) {
	if cfg.CurrentContext == "" {
		return nil, nil, errors.New("no current-context is set")
	}
	ctx, ok := cfg.Contexts[cfg.CurrentContext]
	if !ok || ctx == nil {
		return nil, nil, fmt.Errorf("current-context %q is not among the contexts", cfg.CurrentContext)
	}
	cluster, ok := cfg.Clusters[ctx.Cluster]
	if !ok || cluster == nil {
		return nil, nil, fmt.Errorf("context %q names cluster %q, which is not among the clusters", cfg.CurrentContext, ctx.Cluster)
	}
	if ctx.AuthInfo == "" {
		return cluster, nil, nil
	}
	user, ok := cfg.AuthInfos[ctx.AuthInfo]
	if !ok || user == nil {
		return nil, nil, fmt.Errorf("context %q names user %q, which is not among the users", cfg.CurrentContext, ctx.AuthInfo)
	}
	return cluster, user, nil
}
