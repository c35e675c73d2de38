package bootstraptoken

import (
	"testing"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func TestCommandString(t *testing.T) {
	t.Parallel()
	pin := "sha256:" + "ab" + "cd"
	tests := []struct {
		name string
		c    Command
		want string
	}{
		{"worker", Command{Program: "kubeadm", Endpoint: "10.0.0.1:6443", Token: "abcdef.0123456789abcdef", CAPins: []string{pin}},
			"kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef \\\n\t--discovery-token-ca-cert-hash sha256:abcd "},
		{"control plane with key", Command{Program: "kadm", Endpoint: "lb:6443", Token: Withheld, CAPins: []string{pin, pin}, ControlPlane: true, CertificateKey: "k"},
			"kadm join lb:6443 --token <value withheld> \\\n\t--discovery-token-ca-cert-hash sha256:abcd --discovery-token-ca-cert-hash sha256:abcd \\\n\t--control-plane --certificate-key k"},
		{"control plane without key", Command{Program: "kadm", Endpoint: "lb:6443", Token: "t", ControlPlane: true},
			"kadm join lb:6443 --token t \\\n\t\\\n\t--control-plane "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.c.String(); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestClusterOf(t *testing.T) {
	t.Parallel()
	good := &clientcmdapi.Config{
		CurrentContext: "admin@k",
		Contexts:       map[string]*clientcmdapi.Context{"admin@k": {Cluster: "k"}},
		Clusters:       map[string]*clientcmdapi.Cluster{"k": {Server: "https://10.0.0.1:6443", CertificateAuthorityData: []byte("pem")}},
	}
	c, err := clusterOf(good, "admin.conf")
	if err != nil || c.Endpoint != "10.0.0.1:6443" || string(c.CAData) != "pem" {
		t.Fatalf("got %+v, %v", c, err)
	}
	bad := []*clientcmdapi.Config{
		{CurrentContext: "missing"},
		{CurrentContext: "a", Contexts: map[string]*clientcmdapi.Context{"a": {Cluster: "none"}}},
		{CurrentContext: "a", Contexts: map[string]*clientcmdapi.Context{"a": {Cluster: "k"}},
			Clusters: map[string]*clientcmdapi.Cluster{"k": {Server: "10.0.0.1:6443", CertificateAuthorityData: []byte("pem")}}},
		{CurrentContext: "a", Contexts: map[string]*clientcmdapi.Context{"a": {Cluster: "k"}},
			Clusters: map[string]*clientcmdapi.Cluster{"k": {Server: "https://h:1"}}},
	}
	for i, cfg := range bad {
		if _, err := clusterOf(cfg, "admin.conf"); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}
