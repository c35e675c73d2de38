package kubeconfig

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/config"
)

func TestControlPlaneFiles(t *testing.T) {
	t.Parallel()
	local := config.APIEndpoint{AdvertiseAddress: "10.0.0.5", BindPort: 6443}
	cluster := &config.ClusterConfiguration{
		ClusterName:               "prod",
		ControlPlaneEndpoint:      "lb.example.com",
		CertificateValidityPeriod: &metav1.Duration{Duration: 48 * time.Hour},
		EncryptionAlgorithm:       config.EncryptionAlgorithmECDSAP384,
	}
	files, err := ControlPlaneFiles("cp-1", local, cluster)
	if err != nil {
		t.Fatal(err)
	}
	const shared, own = "https://lb.example.com:6443", "https://10.0.0.5:6443"
	want := []ClientFile{
		{Name: "admin.conf", Server: shared, User: "kubernetes-admin", Groups: []string{"kubeadm:cluster-admins"}},
		{Name: "super-admin.conf", Server: shared, User: "kubernetes-super-admin", Groups: []string{"system:masters"}},
		{Name: "kubelet.conf", Server: own, User: "system:node:cp-1", Groups: []string{"system:nodes"}},
		{Name: "controller-manager.conf", Server: own, User: "system:kube-controller-manager"},
		{Name: "scheduler.conf", Server: own, User: "system:kube-scheduler"},
	}
	if len(files) != len(want) {
		t.Fatalf("got %d files, want %d", len(files), len(want))
	}
	for i, w := range want {
		t.Run(w.Name, func(t *testing.T) {
			t.Parallel()
			f := files[i]
			if f.Name != w.Name || f.Server != w.Server || f.User != w.User || !slices.Equal(f.Groups, w.Groups) {
				t.Errorf("got %+v, want name %s server %s user %s groups %v", f, w.Name, w.Server, w.User, w.Groups)
			}
			if f.ClusterName != "prod" || f.Validity != 48*time.Hour || f.Algorithm != config.EncryptionAlgorithmECDSAP384 {
				t.Errorf("cluster %q validity %v algorithm %s, want prod, 48h, ECDSA-P384", f.ClusterName, f.Validity, f.Algorithm)
			}
		})
	}
}

func TestControlPlaneFilesDefaultsAndErrors(t *testing.T) {
	t.Parallel()
	local := config.APIEndpoint{AdvertiseAddress: "10.0.0.5", BindPort: 6443}
	files, err := ControlPlaneFiles("cp-1", local, &config.ClusterConfiguration{})
	if err != nil {
		t.Fatal(err)
	}
	f := files[0]
	if f.ClusterName != config.DefaultClusterName || f.Validity != config.DefaultCertificateValidityPeriod || f.Algorithm != config.DefaultEncryptionAlgorithm {
		t.Errorf("an undefaulted config gave cluster %q validity %v algorithm %s", f.ClusterName, f.Validity, f.Algorithm)
	}
	if f.Server != "https://10.0.0.5:6443" {
		t.Errorf("admin.conf without controlPlaneEndpoint points at %s, want the local API server", f.Server)
	}
	if _, err := ControlPlaneFiles("", local, &config.ClusterConfiguration{}); err == nil {
		t.Error("an empty node name was accepted")
	}
}
