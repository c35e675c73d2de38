package discovery

import (
	"errors"
	"fmt"
	"net/url"
	"sort"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/config"
)

// singleCluster returns the one cluster of a kubeconfig. Several clusters are an error:
// picking one at random would make the trust decision depend on map order.
func singleCluster(cfg *clientcmdapi.Config) (string, *clientcmdapi.Cluster, error) {
	switch len(cfg.Clusters) {
	case 0:
		return "", nil, errors.New("no cluster defined")
	case 1:
		for name, c := range cfg.Clusters {
			if c == nil {
				return "", nil, fmt.Errorf("cluster %q is empty", name)
			}
			return name, c, nil
		}
	}
	return "", nil, fmt.Errorf("%d clusters defined (%v), want exactly one", len(cfg.Clusters), clusterNames(cfg))
}

func clusterNames(cfg *clientcmdapi.Config) []string {
	names := make([]string, 0, len(cfg.Clusters))
	for n := range cfg.Clusters {
		names = append(names, fmt.Sprintf("%q", n))
	}
	sort.Strings(names)
	return names
}

// requireHTTPS refuses a server the kubelet would talk to in clear text or not at all.
func requireHTTPS(server string) error {
	u, err := url.Parse(server)
	if err != nil {
		return fmt.Errorf("server %q is not a URL: %w", server, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("server %q is not an https:// URL", server)
	}
	return nil
}

// tokenKubeconfig is the bootstrap kubeconfig of token discovery, named as kubeadm names it
// so that bootstrap-kubelet.conf reads the same whichever tool wrote it.
func tokenKubeconfig(server string, caPEM []byte, token string) *clientcmdapi.Config {
	cluster := config.DefaultClusterName
	ctxName := TokenUser + "@" + cluster
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[cluster] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[TokenUser] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[ctxName] = &clientcmdapi.Context{Cluster: cluster, AuthInfo: TokenUser}
	cfg.CurrentContext = ctxName
	return cfg
}

// hasCredentials tells whether an AuthInfo can authenticate on its own, in which case file
// discovery without a TLS bootstrap token keeps it.
func hasCredentials(a *clientcmdapi.AuthInfo) bool {
	if a == nil {
		return false
	}
	return a.Token != "" || a.TokenFile != "" || a.Exec != nil || a.AuthProvider != nil ||
		a.ClientCertificate != "" || len(a.ClientCertificateData) > 0 || (a.Username != "" && a.Password != "")
}

// nodeCredentials names the credentials of a that act on this node when used: a program
// to run, a plugin, or files to read. Only data (a token, an embedded certificate and key)
// may come from the network.
func nodeCredentials(a *clientcmdapi.AuthInfo) []string {
	var kinds []string
	for _, c := range []struct {
		set  bool
		name string
	}{
		{a.Exec != nil, "exec (command " + execCommand(a) + ")"},
		{a.AuthProvider != nil, "auth-provider"},
		{a.TokenFile != "", "tokenFile"},
		{a.ClientCertificate != "", "client-certificate (a file)"},
		{a.ClientKey != "", "client-key (a file)"},
	} {
		if c.set {
			kinds = append(kinds, c.name)
		}
	}
	return kinds
}

func execCommand(a *clientcmdapi.AuthInfo) string {
	if a.Exec == nil {
		return ""
	}
	return fmt.Sprintf("%q", a.Exec.Command)
}
