package bootstraptoken

import (
	"fmt"
	"net/url"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	certutil "k8s.io/client-go/util/cert"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
)

// ClusterInfo is the kube-public ConfigMap that token discovery reads
// anonymously: a kubeconfig with the cluster's CA and API server and no
// credentials. The bootstrap signer adds one JWS signature per token to it,
// which is how a joining node proves the content came from the cluster.
func ClusterInfo(caPEM []byte, server string) (*corev1.ConfigMap, error) {
	if _, err := certutil.ParseCertsPEM(caPEM); err != nil {
		return nil, fmt.Errorf("cluster-info: the CA certificate is not valid PEM: %w", err)
	}
	if _, err := url.Parse(server); err != nil || server == "" {
		return nil, fmt.Errorf("cluster-info: API server URL %q is invalid", server)
	}
	kubeconfig, err := clientcmd.Write(clientcmdapi.Config{
		// The cluster entry is unnamed, as in kubeadm's cluster-info:
		// discovery takes the only cluster, whatever its name.
		Clusters: map[string]*clientcmdapi.Cluster{"": {
			Server:                   server,
			CertificateAuthorityData: caPEM,
		}},
	})
	if err != nil {
		return nil, fmt.Errorf("cluster-info: encode the kubeconfig: %w", err)
	}
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: bootstrapapi.ConfigMapClusterInfo, Namespace: metav1.NamespacePublic},
		Data:       map[string]string{bootstrapapi.KubeConfigKey: string(kubeconfig)},
	}, nil
}
