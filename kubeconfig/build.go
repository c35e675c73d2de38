package kubeconfig

import (
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// WithClientCert returns a kubeconfig with one cluster, one user and one
// current context, authenticating with an embedded client certificate and
// key. Everything is embedded so the file works wherever it is copied.
func WithClientCert(server, clusterName, user string, caPEM, certPEM, keyPEM []byte) *clientcmdapi.Config {
	return withAuth(server, clusterName, user, caPEM, &clientcmdapi.AuthInfo{
		ClientCertificateData: certPEM,
		ClientKeyData:         keyPEM,
	})
}

// WithToken is WithClientCert for bearer-token authentication, as used by
// bootstrap kubeconfigs and `kubeconfig user --token`.
func WithToken(server, clusterName, user string, caPEM []byte, token string) *clientcmdapi.Config {
	return withAuth(server, clusterName, user, caPEM, &clientcmdapi.AuthInfo{Token: token})
}

func withAuth(server, clusterName, user string, caPEM []byte, auth *clientcmdapi.AuthInfo) *clientcmdapi.Config {
	// kubeadm names the context "user@cluster"; tools that switch contexts
	// by name depend on it.
	contextName := user + "@" + clusterName
	return &clientcmdapi.Config{
		Clusters: map[string]*clientcmdapi.Cluster{
			clusterName: {Server: server, CertificateAuthorityData: caPEM},
		},
		AuthInfos: map[string]*clientcmdapi.AuthInfo{user: auth},
		Contexts: map[string]*clientcmdapi.Context{
			contextName: {Cluster: clusterName, AuthInfo: user},
		},
		CurrentContext: contextName,
	}
}
