package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/certificate"
	"k8s.io/client-go/util/certificate/csr"
	"k8s.io/client-go/util/keyutil"

	"github.com/kadm-project/kadm/internal/atomicfile"
)

// The names the kubelet gives the parts of the kubeconfig it writes after
// its TLS bootstrap.
const (
	bootstrapCluster = "default-cluster"
	bootstrapUser    = "default-auth"
	bootstrapContext = "default-context"
)

// errNoCredentials means neither kubeconfig can be used yet.
var errNoCredentials = errors.New("no usable kubeconfig and no bootstrap kubeconfig yet")

// nodeClientUsages are the key usages the kubelet asks for its ECDSA client
// certificate; kube-controller-manager approves them for nodes.
var nodeClientUsages = []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageClientAuth}

// nodeSubject is the identity the Node authorizer expects of a kubelet.
func nodeSubject(nodeName string) pkix.Name {
	return pkix.Name{CommonName: "system:node:" + nodeName, Organization: []string{"system:nodes"}}
}

// validKubeconfig returns the client configuration of a kubeconfig whose
// client certificate is present and not expired, as the kubelet decides
// whether it must bootstrap.
func validKubeconfig(path string) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, err
	}
	certPEM := cfg.TLSClientConfig.CertData
	if len(certPEM) == 0 {
		if cfg.TLSClientConfig.CertFile == "" {
			return nil, fmt.Errorf("%s has no client certificate", path)
		}
		if certPEM, err = os.ReadFile(cfg.TLSClientConfig.CertFile); err != nil {
			return nil, err
		}
	}
	certs, err := certutil.ParseCertsPEM(certPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if now := time.Now(); now.After(certs[0].NotAfter) || now.Before(certs[0].NotBefore) {
		return nil, fmt.Errorf("%s: the client certificate is valid from %s to %s", path, certs[0].NotBefore, certs[0].NotAfter)
	}
	return cfg, nil
}

// tlsBootstrap obtains the node's client certificate with the bootstrap
// kubeconfig: a new key, a CSR for the kubelet client signer, the wait for
// kube-controller-manager to approve and sign it. It stores the pair as the
// kubelet does (kubelet-client-<time>.pem and the kubelet-client-current.pem
// link) and writes a kubeconfig that points at the link.
func tlsBootstrap(ctx context.Context, o *kubeletOptions, nodeName string, logger *log.Logger) error {
	bootCfg, err := clientcmd.BuildConfigFromFlags("", o.bootstrapKubeconfig)
	if err != nil {
		return err
	}
	store, err := certificate.NewFileStore("kubelet-client", o.certDir, o.certDir, "", "")
	if err != nil {
		return fmt.Errorf("kubelet client certificate store in %s: %w", o.certDir, err)
	}
	if cert, err := store.Current(); err != nil || time.Now().After(cert.Leaf.NotAfter) {
		client, err := kubernetes.NewForConfig(bootCfg)
		if err != nil {
			return err
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		keyPEM, err := keyutil.MarshalPrivateKeyToPEM(key)
		if err != nil {
			return err
		}
		subject := nodeSubject(nodeName)
		csrPEM, err := certutil.MakeCSR(key, &subject, nil, nil)
		if err != nil {
			return err
		}
		name, uid, err := csr.RequestCertificateWithContext(ctx, client, csrPEM, "", certificatesv1.KubeAPIServerClientKubeletSignerName, nil, nodeClientUsages, key)
		if err != nil {
			return fmt.Errorf("create the CertificateSigningRequest: %w", err)
		}
		logger.Printf("tls bootstrap: created CertificateSigningRequest %s, waiting for it to be approved and issued", name)
		waitCtx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		certPEM, err := csr.WaitForCertificate(waitCtx, client, name, uid)
		if err != nil {
			return fmt.Errorf("wait for CertificateSigningRequest %s: %w", name, err)
		}
		if _, err := store.Update(certPEM, keyPEM); err != nil {
			return err
		}
		logger.Printf("tls bootstrap: CertificateSigningRequest %s issued", name)
	}
	return writeNodeKubeconfig(o.bootstrapKubeconfig, o.kubeconfig, store.CurrentPath())
}

// writeNodeKubeconfig writes the kubeconfig the kubelet leaves after its TLS
// bootstrap: the bootstrap kubeconfig's cluster and the rotating pair.
func writeNodeKubeconfig(bootstrapPath, path, pairPath string) error {
	boot, err := clientcmd.LoadFromFile(bootstrapPath)
	if err != nil {
		return err
	}
	ctx, ok := boot.Contexts[boot.CurrentContext]
	if !ok {
		return fmt.Errorf("%s has no current context", bootstrapPath)
	}
	cluster, ok := boot.Clusters[ctx.Cluster]
	if !ok {
		return fmt.Errorf("%s has no cluster %q", bootstrapPath, ctx.Cluster)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[bootstrapCluster] = &clientcmdapi.Cluster{
		Server:                   cluster.Server,
		CertificateAuthority:     cluster.CertificateAuthority,
		CertificateAuthorityData: cluster.CertificateAuthorityData,
		TLSServerName:            cluster.TLSServerName,
	}
	cfg.AuthInfos[bootstrapUser] = &clientcmdapi.AuthInfo{ClientCertificate: pairPath, ClientKey: pairPath}
	cfg.Contexts[bootstrapContext] = &clientcmdapi.Context{Cluster: bootstrapCluster, AuthInfo: bootstrapUser, Namespace: "default"}
	cfg.CurrentContext = bootstrapContext
	b, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o600)
}

// certificateTemplate is the CSR template of the kubelet's client
// certificate rotation.
func certificateTemplate(nodeName string) *x509.CertificateRequest {
	return &x509.CertificateRequest{Subject: nodeSubject(nodeName)}
}
