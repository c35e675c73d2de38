package main

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/certificate"
	"k8s.io/client-go/util/keyutil"
)

// apiTimeout bounds every request of the stand-in, so a hung API server
// shows up as an error to retry rather than a stuck loop.
const apiTimeout = 30 * time.Second

// nodeClient returns a client with the node's identity. Like the kubelet, it
// uses kubelet.conf while its certificate is valid and performs the TLS
// bootstrap otherwise; with rotateCertificates it runs client-go's
// certificate manager, which also moves a certificate embedded in
// kubelet.conf into kubelet-client-current.pem and renews it with a CSR.
func nodeClient(ctx context.Context, o *kubeletOptions, cfg *kubeletConfig, nodeName string, logger *log.Logger) (kubernetes.Interface, error) {
	restCfg, err := validKubeconfig(o.kubeconfig)
	if err != nil {
		if o.bootstrapKubeconfig == "" {
			return nil, fmt.Errorf("%w: %v", errNoCredentials, err)
		}
		if _, statErr := os.Stat(o.bootstrapKubeconfig); statErr != nil {
			return nil, fmt.Errorf("%w: %v; %v", errNoCredentials, err, statErr)
		}
		logger.Printf("tls bootstrap: %v: bootstrapping with %s", err, o.bootstrapKubeconfig)
		if err := tlsBootstrap(ctx, o, nodeName, logger); err != nil {
			return nil, fmt.Errorf("tls bootstrap: %w", err)
		}
		if restCfg, err = validKubeconfig(o.kubeconfig); err != nil {
			return nil, err
		}
	}
	if !cfg.RotateCertificates {
		restCfg.Timeout = apiTimeout
		return kubernetes.NewForConfig(restCfg)
	}
	return rotatingClient(ctx, restCfg, o, nodeName)
}

func rotatingClient(ctx context.Context, restCfg *rest.Config, o *kubeletOptions, nodeName string) (kubernetes.Interface, error) {
	store, err := certificate.NewFileStore("kubelet-client", o.certDir, o.certDir, "", "")
	if err != nil {
		return nil, err
	}
	bootCert, bootKey, err := clientPair(restCfg)
	if err != nil {
		return nil, err
	}
	anon := rest.AnonymousClientConfig(restCfg)
	anon.Timeout = apiTimeout
	mgr, err := certificate.NewManager(&certificate.Config{
		ClientsetFn: func(current *tls.Certificate) (kubernetes.Interface, error) {
			if current == nil {
				c := rest.CopyConfig(restCfg)
				c.Timeout = apiTimeout
				return kubernetes.NewForConfig(c)
			}
			c, err := withCertificate(anon, current)
			if err != nil {
				return nil, err
			}
			return kubernetes.NewForConfig(c)
		},
		Template:                certificateTemplate(nodeName),
		SignerName:              certificatesv1.KubeAPIServerClientKubeletSignerName,
		Usages:                  nodeClientUsages,
		CertificateStore:        store,
		BootstrapCertificatePEM: bootCert,
		BootstrapKeyPEM:         bootKey,
		Name:                    "kubelet client",
		Ctx:                     &ctx,
	})
	if err != nil {
		return nil, fmt.Errorf("kubelet client certificate manager: %w", err)
	}
	mgr.Start()

	// Every new connection presents the certificate the manager holds now.
	c := rest.CopyConfig(anon)
	tlsCfg, err := rest.TLSConfigFor(c)
	if err != nil {
		return nil, err
	}
	if tlsCfg == nil {
		tlsCfg = &tls.Config{}
	}
	tlsCfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		if cert := mgr.Current(); cert != nil {
			return cert, nil
		}
		return &tls.Certificate{}, nil
	}
	c.Transport = utilnet.SetTransportDefaults(&http.Transport{TLSClientConfig: tlsCfg})
	c.TLSClientConfig = rest.TLSClientConfig{}
	return kubernetes.NewForConfig(c)
}

// clientPair returns the PEM client certificate and key of a configuration.
func clientPair(c *rest.Config) (certPEM, keyPEM []byte, err error) {
	certPEM, keyPEM = c.TLSClientConfig.CertData, c.TLSClientConfig.KeyData
	if len(certPEM) == 0 && c.TLSClientConfig.CertFile != "" {
		if certPEM, err = os.ReadFile(c.TLSClientConfig.CertFile); err != nil {
			return nil, nil, err
		}
	}
	if len(keyPEM) == 0 && c.TLSClientConfig.KeyFile != "" {
		if keyPEM, err = os.ReadFile(c.TLSClientConfig.KeyFile); err != nil {
			return nil, nil, err
		}
	}
	if len(certPEM) == 0 || len(keyPEM) == 0 {
		return nil, nil, errors.New("the kubeconfig has no client certificate and key")
	}
	return certPEM, keyPEM, nil
}

// withCertificate returns base authenticating with cert.
func withCertificate(base *rest.Config, cert *tls.Certificate) (*rest.Config, error) {
	c := rest.CopyConfig(base)
	var certPEM []byte
	for _, der := range cert.Certificate {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	keyPEM, err := keyutil.MarshalPrivateKeyToPEM(cert.PrivateKey)
	if err != nil {
		return nil, err
	}
	c.TLSClientConfig.CertData, c.TLSClientConfig.KeyData = certPEM, keyPEM
	return c, nil
}
