//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// kubeletClientPair is where the kubelet keeps its client certificate and
// key after the TLS bootstrap, and where kubelet.conf points.
const kubeletClientPair = "/var/lib/kubelet/pki/kubelet-client-current.pem"

// joinedMessage opens kubeadm's closing message of a worker join.
const joinedMessage = "This node has joined the cluster"

// checkWorker checks what issue #4 accepts a worker join by: the Node is
// Ready, its kubelet restarted by kadm through the init system and running on
// the config.yaml kadm wrote; kubelet.conf authenticates as system:node:<name> with the client
// certificate the controller-manager issued for the node's CSR, which
// chains to the cluster CA; bootstrap-kubelet.conf is gone.
func checkWorker(t *testing.T, ctx context.Context, cp, w *framework.Host, client kubernetes.Interface, tokenID string) {
	t.Helper()
	waitNode(t, ctx, client, w.Name, nodeReady)
	checkRestartedBy(t, w, "kadm join")
	checkKubeletConfigAccepted(t, w)

	conf := w.Path("/etc/kubernetes/kubelet.conf")
	checkMode(t, conf, 0o600)
	cfg, err := clientcmd.LoadFromFile(conf)
	if err != nil {
		t.Fatalf("kubelet.conf: %v", err)
	}
	kctx, ok := cfg.Contexts[cfg.CurrentContext]
	if !ok {
		t.Fatalf("kubelet.conf: no current context %q", cfg.CurrentContext)
	}
	auth, cluster := cfg.AuthInfos[kctx.AuthInfo], cfg.Clusters[kctx.Cluster]
	if auth == nil || cluster == nil {
		t.Fatalf("kubelet.conf: context %q names a missing user or cluster", cfg.CurrentContext)
	}
	if auth.ClientCertificate != kubeletClientPair || auth.ClientKey != kubeletClientPair {
		t.Errorf("kubelet.conf authenticates with %q and %q, want %s", auth.ClientCertificate, auth.ClientKey, kubeletClientPair)
	}
	pair, err := w.ReadFile(kubeletClientPair)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := certutil.ParseCertsPEM(pair)
	if err != nil {
		t.Fatalf("%s: %v", kubeletClientPair, err)
	}
	ca, err := certutil.CertsFromFile(cp.Path("/etc/kubernetes/pki/ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	e := certExpectation{name: "kubelet client", ca: "ca", cn: "system:node:" + w.Name, org: []string{"system:nodes"},
		usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	checkCertificate(t, e, certs[0], ca[0])
	if b, err := os.ReadFile(w.Path("/etc/kubernetes/pki/ca.crt")); err != nil || !bytes.Equal(b, readCA(t, cp)) {
		t.Errorf("the worker's /etc/kubernetes/pki/ca.crt is not the cluster CA (%v)", err)
	}
	if _, err := os.Stat(w.Path("/etc/kubernetes/bootstrap-kubelet.conf")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("bootstrap-kubelet.conf remains after the TLS bootstrap (stat: %v)", err)
	}

	t.Run("the controller-manager issued the certificate for the node's CSR", func(t *testing.T) {
		csr, err := csrWithCertificate(ctx, client, certs[0])
		if err != nil {
			t.Fatal(err)
		}
		if want := "system:bootstrap:" + tokenID; csr.Spec.Username != want {
			t.Errorf("CSR %s was made by %q, want %q", csr.Name, csr.Spec.Username, want)
		}
		if csr.Spec.SignerName != certificatesv1.KubeAPIServerClientKubeletSignerName {
			t.Errorf("CSR %s has signer %q, want %q", csr.Name, csr.Spec.SignerName, certificatesv1.KubeAPIServerClientKubeletSignerName)
		}
		if !csrApproved(csr) {
			t.Errorf("CSR %s carries no Approved condition: %v", csr.Name, csr.Status.Conditions)
		}
	})

	t.Run("kubelet.conf works", func(t *testing.T) {
		rc := &rest.Config{Host: cluster.Server, Timeout: 15 * time.Second,
			TLSClientConfig: rest.TLSClientConfig{CAData: cluster.CertificateAuthorityData, CertData: pair, KeyData: pair}}
		kc, err := kubernetes.NewForConfig(rc)
		if err != nil {
			t.Fatal(err)
		}
		review, err := kc.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("SelfSubjectReview with kubelet.conf's credentials against %s: %v", cluster.Server, err)
		}
		u := review.Status.UserInfo
		if u.Username != "system:node:"+w.Name || !slices.Contains(u.Groups, "system:nodes") {
			t.Errorf("kubelet.conf authenticates as %q in %q, want system:node:%s in system:nodes", u.Username, u.Groups, w.Name)
		}
		if _, err := kc.CoreV1().Nodes().Get(ctx, w.Name, metav1.GetOptions{}); err != nil {
			t.Errorf("the node reads its own Node with kubelet.conf: %v", err)
		}
	})
}

// csrWithCertificate finds the CSR whose issued certificate is c.
func csrWithCertificate(ctx context.Context, client kubernetes.Interface, c *x509.Certificate) (*certificatesv1.CertificateSigningRequest, error) {
	list, err := client.CertificatesV1().CertificateSigningRequests().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for i := range list.Items {
		issued, err := certutil.ParseCertsPEM(list.Items[i].Status.Certificate)
		if err == nil && len(issued) > 0 && issued[0].Equal(c) {
			return &list.Items[i], nil
		}
	}
	return nil, fmt.Errorf("no CSR among %d was issued the certificate of %s (serial %s)", len(list.Items), c.Subject.CommonName, c.SerialNumber)
}

// csrForNode finds the CSR that asks for node's client certificate.
func csrForNode(ctx context.Context, client kubernetes.Interface, node string) (*certificatesv1.CertificateSigningRequest, error) {
	list, err := client.CertificatesV1().CertificateSigningRequests().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for i := range list.Items {
		if csrCommonName(&list.Items[i]) == "system:node:"+node {
			return &list.Items[i], nil
		}
	}
	return nil, fmt.Errorf("no CSR for system:node:%s among %d", node, len(list.Items))
}

// csrCommonName is the subject common name a CSR asks for; empty when its
// request does not parse.
func csrCommonName(csr *certificatesv1.CertificateSigningRequest) string {
	block, _ := pem.Decode(csr.Spec.Request)
	if block == nil {
		return ""
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return ""
	}
	return req.Subject.CommonName
}

func csrApproved(csr *certificatesv1.CertificateSigningRequest) bool {
	for _, c := range csr.Status.Conditions {
		if c.Type == certificatesv1.CertificateApproved {
			return true
		}
	}
	return false
}

// workerState describes what a join left on a worker as sorted lines: every
// file under /etc/kubernetes and /var/lib/kubelet with its kind and mode,
// and the content of the files kadm writes from the cluster's
// configuration, with the node's name, address and timestamps replaced, so
// two workers of one cluster compare equal.
func workerState(t *testing.T, h *framework.Host) []string {
	t.Helper()
	lines, err := fileLines(h, "/etc/kubernetes", "/var/lib/kubelet")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"/etc/kubernetes/pki/ca.crt", "/var/lib/kubelet/config.yaml", "/var/lib/kubelet/kubeadm-flags.env", "/var/lib/kubelet/instance-config.yaml"} {
		b, err := os.ReadFile(h.Path(f))
		if err != nil {
			lines = append(lines, fmt.Sprintf("content %s: %v", f, errors.Unwrap(err)))
			continue
		}
		for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			lines = append(lines, "content "+f+": "+l)
		}
	}
	replacer := strings.NewReplacer(h.Name, "<node>", h.IP.String(), "<ip>")
	timestamp := regexp.MustCompile(`\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}`)
	for i, l := range lines {
		lines[i] = timestamp.ReplaceAllString(replacer.Replace(l), "<time>")
	}
	sort.Strings(lines)
	return lines
}
