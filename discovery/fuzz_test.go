package discovery

import (
	"context"
	"errors"
	"strings"
	"testing"

	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	tokenjws "k8s.io/cluster-bootstrap/token/jws"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
)

// FuzzDiscoveryKubeconfig feeds arbitrary bytes to the parser of a
// discovery kubeconfig as HTTPS discovery downloads it. Whatever it
// accepts is a bootstrap kubeconfig with one https cluster, an embedded CA,
// and credentials that are data only: the TLS bootstrap token when one is
// given, never a program to run or a file to read.
func FuzzDiscoveryKubeconfig(f *testing.F) {
	f.Add([]byte(clusterInfoKubeconfigText("https://10.0.0.1:6443", "Y2E=")), false)
	f.Add([]byte("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://10.0.0.1:6443\n    certificate-authority-data: Y2E=\n"+
		"users:\n- name: u\n  user:\n    exec:\n      command: id\n      apiVersion: client.authentication.k8s.io/v1\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n"), false)
	f.Add([]byte("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://10.0.0.1\n"), true)
	f.Add([]byte(""), true)
	f.Fuzz(func(t *testing.T, data []byte, withToken bool) {
		tlsToken := ""
		if withToken {
			tlsToken = testToken
		}
		cfg, err := parseDiscoveryKubeconfig(context.Background(), data, "", tlsToken, Options{}.withDefaults(&config.JoinConfiguration{}))
		if err != nil {
			if strings.Contains(err.Error(), testTokenSecret) {
				t.Errorf("error shows the token secret: %v", err)
			}
			return
		}
		if len(cfg.Clusters) != 1 {
			t.Fatalf("%d clusters accepted", len(cfg.Clusters))
		}
		cluster, user, err := kubeconfig.Current(cfg)
		if err != nil {
			t.Fatalf("the bootstrap kubeconfig has no usable current context: %v", err)
		}
		if requireHTTPS(cluster.Server) != nil || len(cluster.CertificateAuthorityData) == 0 || cluster.CertificateAuthority != "" || cluster.InsecureSkipTLSVerify {
			t.Fatalf("accepted cluster %+v: want https, an embedded CA and verification", cluster)
		}
		if user == nil {
			t.Fatal("accepted without credentials")
		}
		if len(nodeCredentials(user)) > 0 {
			t.Fatalf("a downloaded kubeconfig's %v were kept", nodeCredentials(user))
		}
		if withToken && (user.Token != testToken || user.Username != "" || len(user.ClientKeyData) > 0) {
			t.Fatalf("credentials %+v, want only the TLS bootstrap token", user)
		}
	})
}

// FuzzClusterInfo feeds arbitrary answers to the reading of cluster-info:
// the ConfigMap, its kubeconfig, its CA bundle against a pin and its
// signature. Nothing panics, and what cannot be read is ErrMalformed.
func FuzzClusterInfo(f *testing.F) {
	kc := clusterInfoKubeconfigText("https://10.0.0.1:6443", "Y2E=")
	sig, err := tokenjws.ComputeDetachedSignature(kc, testTokenID, testTokenSecret)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"data":{"kubeconfig":` + jsonString(kc) + `,"jws-kubeconfig-` + testTokenID + `":"` + sig + `"}}`))
	f.Add([]byte(`{"data":{"kubeconfig":"apiVersion: v1\nclusters: [{name: a, cluster: {server: 'https://x', certificate-authority-data: '!!'}}]"}}`))
	f.Add([]byte(`{"data":{}}`))
	f.Add([]byte(`<html></html>`))
	pins := map[string]bool{"sha256:0000000000000000000000000000000000000000000000000000000000000000": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		cm, err := decodeClusterInfo(data, "https://10.0.0.1:6443"+clusterInfoPath)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("an unreadable answer is not ErrMalformed: %v", err)
			}
			return
		}
		kc := cm.Data[bootstrapapi.KubeConfigKey]
		if sig, ok := cm.Data[bootstrapapi.JWSSignatureKeyPrefix+testTokenID]; ok {
			tokenjws.DetachedTokenIsValid(sig, kc, testTokenID, testTokenSecret)
		}
		cluster, err := parseClusterInfo(kc)
		if err != nil {
			return
		}
		_ = requireHTTPS(cluster.Server)
		kept, _, err := pinnedCAs(cluster.CertificateAuthorityData, pins)
		if err == nil && len(kept) == 0 {
			t.Fatal("no pinned CA, and no error")
		}
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrCAHashMismatch) {
			t.Fatalf("a CA bundle failed neither as malformed nor as mismatched: %v", err)
		}
	})
}

func clusterInfoKubeconfigText(server, caData string) string {
	return "apiVersion: v1\nkind: Config\nclusters:\n- name: \"\"\n  cluster:\n    server: " + server + "\n    certificate-authority-data: " + caData + "\n"
}

func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
