package kubelet

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
)

func TestClientCertPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []config.Arg
		want string
	}{
		{name: "default", want: "/var/lib/kubelet/pki/kubelet-client-current.pem"},
		{name: "cert-dir", args: []config.Arg{{Name: "cert-dir", Value: "/a"}, {Name: "cert-dir", Value: "/srv/kubelet-pki"}}, want: "/srv/kubelet-pki/kubelet-client-current.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ClientCertPath(config.DefaultKubeletDir, tt.args); got != tt.want {
				t.Errorf("ClientCertPath() = %q, want %q", got, tt.want)
			}
		})
	}
}

// kubeletConf is a kubelet.conf as kubeadm's kubeconfig phase writes it,
// with embedded (fake) credentials.
func kubeletConf() *clientcmdapi.Config {
	c := clientcmdapi.NewConfig()
	c.Clusters["kubernetes"] = &clientcmdapi.Cluster{Server: "https://10.0.0.1:6443", CertificateAuthorityData: []byte("CA")}
	c.AuthInfos["system:node:cp-1"] = &clientcmdapi.AuthInfo{ClientCertificateData: []byte("CERT"), ClientKeyData: []byte("SECRET-KEY")}
	c.Contexts["system:node:cp-1@kubernetes"] = &clientcmdapi.Context{Cluster: "kubernetes", AuthInfo: "system:node:cp-1"}
	c.CurrentContext = "system:node:cp-1@kubernetes"
	return c
}

func TestUseRotatingClientCert(t *testing.T) {
	t.Parallel()
	const pem = "/var/lib/kubelet/pki/kubelet-client-current.pem"
	tests := []struct {
		name    string
		edit    func(*clientcmdapi.Config)
		wantErr string
	}{
		{name: "embedded credentials"},
		{name: "no current context", edit: func(c *clientcmdapi.Config) { c.CurrentContext = "" }, wantErr: "no current-context"},
		{name: "unknown context", edit: func(c *clientcmdapi.Config) { c.CurrentContext = "other" }, wantErr: `current-context "other"`},
		{name: "context without user", edit: func(c *clientcmdapi.Config) { c.Contexts[c.CurrentContext].AuthInfo = "" }, wantErr: "names no user"},
		{name: "unknown user", edit: func(c *clientcmdapi.Config) { c.Contexts[c.CurrentContext].AuthInfo = "nobody" }, wantErr: `user "nobody"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := kubeletConf()
			if tt.edit != nil {
				tt.edit(c)
			}
			path := filepath.Join(t.TempDir(), kubeconfig.KubeletFile)
			if err := clientcmd.WriteToFile(*c, path); err != nil {
				t.Fatal(err)
			}
			changed, err := UseRotatingClientCert(path, pem)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("UseRotatingClientCert() = %v, want an error containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "SECRET-KEY") {
					t.Errorf("the error shows the key: %v", err)
				}
				return
			}
			if err != nil || !changed {
				t.Fatalf("UseRotatingClientCert() = %t, %v; want true, nil", changed, err)
			}
			got, err := clientcmd.LoadFromFile(path)
			if err != nil {
				t.Fatal(err)
			}
			user := got.AuthInfos["system:node:cp-1"]
			if user.ClientCertificate != pem || user.ClientKey != pem || len(user.ClientCertificateData) > 0 || len(user.ClientKeyData) > 0 {
				t.Errorf("user = %+v, want certificate and key from %s only", user, pem)
			}
			if string(got.Clusters["kubernetes"].CertificateAuthorityData) != "CA" {
				t.Error("the cluster's CA was lost")
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
			}

			// A second run finds nothing to do.
			before, _ := os.ReadFile(path)
			changed, err = UseRotatingClientCert(path, pem)
			after, _ := os.ReadFile(path)
			if err != nil || changed || string(before) != string(after) {
				t.Errorf("second run: changed = %t, err = %v, file rewritten = %t; want false, nil, false", changed, err, string(before) != string(after))
			}
		})
	}
}

func TestUseRotatingClientCertMissingFile(t *testing.T) {
	t.Parallel()
	_, err := UseRotatingClientCert(filepath.Join(t.TempDir(), kubeconfig.KubeletFile), "/x.pem")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("UseRotatingClientCert() = %v, want a not-exist error", err)
	}
}
