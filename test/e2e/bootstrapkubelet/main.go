// Command bootstrapkubelet stands in for a joining kubelet where a real one
// cannot be afforded: the benchmark that joins a hundred workers at once,
// which real kubelets (about 185 MiB a node with containerd) would not fit
// on the test machine. It does only what `kadm join` waits for: it serves
// /healthz at once and completes the TLS bootstrap as the kubelet does —
// an ECDSA key, a CSR for the kubelet client signer as system:node:<name>,
// the signed certificate stored as kubelet-client-<time>.pem with the
// kubelet-client-current.pem link, and a kubelet.conf that points at it.
// It registers no Node and runs no Pods.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/certificate/csr"
	"sigs.k8s.io/yaml"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bootstrapkubelet:", err)
		os.Exit(1)
	}
}

// options are the kubelet flags the stand-in reads; every other flag of the
// drop-in and of kubeadm-flags.env is accepted and ignored.
type options struct {
	bootstrapKubeconfig, kubeconfig, config, certDir, hostname string
}

func parse(args []string) options {
	o := options{certDir: "/var/lib/kubelet/pki"}
	known := map[string]*string{
		"bootstrap-kubeconfig": &o.bootstrapKubeconfig, "kubeconfig": &o.kubeconfig, "config": &o.config,
		"cert-dir": &o.certDir, "hostname-override": &o.hostname,
	}
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		dst, ok := known[name]
		if !ok || !strings.HasPrefix(args[i], "-") {
			continue
		}
		if !hasValue && i+1 < len(args) {
			i++
			value = args[i]
		}
		*dst = value
	}
	return o
}

// kubeletConfig is the part of config.yaml the stand-in acts on.
type kubeletConfig struct {
	HealthzBindAddress string `json:"healthzBindAddress"`
	HealthzPort        *int   `json:"healthzPort"`
}

func run(ctx context.Context, args []string) error {
	o := parse(args)
	if o.config == "" || o.kubeconfig == "" {
		return errors.New("--config and --kubeconfig are required")
	}
	// As the kubelet, exit while kadm has not written the configuration
	// yet; the init system starts it again.
	b, err := os.ReadFile(o.config)
	if err != nil {
		return err
	}
	var kc kubeletConfig
	if err := yaml.Unmarshal(b, &kc); err != nil {
		return fmt.Errorf("%s: %w", o.config, err)
	}
	addr, port := "127.0.0.1", 10248
	if kc.HealthzBindAddress != "" {
		addr = kc.HealthzBindAddress
	}
	if kc.HealthzPort != nil {
		port = *kc.HealthzPort
	}
	l, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()

	if _, err := os.Stat(o.kubeconfig); err != nil {
		if err := bootstrap(ctx, o); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}

// bootstrap gets the node's client certificate with the bootstrap
// kubeconfig and writes kubelet.conf.
func bootstrap(ctx context.Context, o options) error {
	name := o.hostname
	if name == "" {
		h, err := os.Hostname()
		if err != nil {
			return err
		}
		name = strings.ToLower(h)
	}
	boot, err := clientcmd.LoadFromFile(o.bootstrapKubeconfig)
	if err != nil {
		return err
	}
	rest, err := clientcmd.NewDefaultClientConfig(*boot, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(rest)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "system:node:" + name, Organization: []string{"system:nodes"}},
	}, key)
	if err != nil {
		return err
	}
	csrPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	usages := []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageClientAuth}
	var certPEM []byte
	for {
		// The API server may not answer yet: the kubelet retries too.
		req, uid, err := csr.RequestCertificateWithContext(ctx, client, csrPEM, "", certificatesv1.KubeAPIServerClientKubeletSignerName, nil, usages, key)
		if err == nil {
			certPEM, err = csr.WaitForCertificate(ctx, client, req, uid)
		}
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bootstrapkubelet: TLS bootstrap (request %q): %v; retrying\n", req, err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.certDir, 0o755); err != nil {
		return err
	}
	stored := filepath.Join(o.certDir, "kubelet-client-"+time.Now().Format("2006-01-02-15-04-05")+".pem")
	data := append(append([]byte{}, certPEM...), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})...)
	if err := os.WriteFile(stored, data, 0o600); err != nil {
		return err
	}
	current := filepath.Join(o.certDir, "kubelet-client-current.pem")
	_ = os.Remove(current)
	if err := os.Symlink(stored, current); err != nil {
		return err
	}
	if _, err := certutil.ParseCertsPEM(certPEM); err != nil {
		return err
	}
	cluster := boot.Clusters[boot.Contexts[boot.CurrentContext].Cluster]
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["default-cluster"] = &clientcmdapi.Cluster{Server: cluster.Server, CertificateAuthorityData: cluster.CertificateAuthorityData, CertificateAuthority: cluster.CertificateAuthority}
	cfg.AuthInfos["default-auth"] = &clientcmdapi.AuthInfo{ClientCertificate: current, ClientKey: current}
	cfg.Contexts["default-context"] = &clientcmdapi.Context{Cluster: "default-cluster", AuthInfo: "default-auth", Namespace: "default"}
	cfg.CurrentContext = "default-context"
	tmp := o.kubeconfig + ".tmp"
	if err := clientcmd.WriteToFile(*cfg, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, o.kubeconfig)
}
