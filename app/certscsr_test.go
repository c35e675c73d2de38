package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGenerateCSR: kubeadm's files, in the directories given, each 0600;
// a second run, which would replace keys, writes nothing and names them.
func TestGenerateCSR(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "init.yaml")
	if err := os.WriteFile(cfg, []byte("apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration:\n  name: cp-1\n"+
		"  criSocket: unix:///run/containerd/containerd.sock\nlocalAPIEndpoint:\n  advertiseAddress: 10.0.0.5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kubeconfigDir, certDir := filepath.Join(dir, "etc"), filepath.Join(dir, "etc", "pki")
	args := []string{"certs", "generate-csr", "--config", cfg, "--kubeconfig-dir", kubeconfigDir, "--cert-dir", certDir}
	r := runSub(t, newCertsCmd, args...)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
	want := "generating keys and CSRs in " + certDir + "\n  apiserver\n  apiserver-kubelet-client\n  front-proxy-client\n  etcd/server\n  etcd/peer\n  etcd/healthcheck-client\n  apiserver-etcd-client\n" +
		"generating keys and CSRs in " + kubeconfigDir + "\n  admin.conf\n  super-admin.conf\n  kubelet.conf\n  controller-manager.conf\n  scheduler.conf\n"
	if r.out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.out, want)
	}
	var got []string
	err := filepath.WalkDir(kubeconfigDir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, info.Mode().Perm())
		}
		rel, _ := filepath.Rel(kubeconfigDir, path)
		got = append(got, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, base := range []string{"apiserver", "apiserver-kubelet-client", "front-proxy-client", "etcd/server", "etcd/peer", "etcd/healthcheck-client", "apiserver-etcd-client"} {
		files = append(files, "pki/"+base+".key", "pki/"+base+".csr")
	}
	for _, name := range []string{"admin.conf", "super-admin.conf", "kubelet.conf", "controller-manager.conf", "scheduler.conf"} {
		files = append(files, name, name+".csr")
	}
	slices.Sort(got)
	slices.Sort(files)
	if !slices.Equal(got, files) {
		t.Errorf("files %v, want kubeadm's %v", got, files)
	}
	kubelet, err := os.ReadFile(filepath.Join(kubeconfigDir, "kubelet.conf"))
	if err != nil || !strings.Contains(string(kubelet), "server: https://10.0.0.5:6443") || !strings.Contains(string(kubelet), "user: system:node:cp-1") {
		t.Errorf("kubelet.conf:\n%s", kubelet)
	}

	key, _ := os.ReadFile(filepath.Join(certDir, "apiserver.key"))
	r = runSub(t, newCertsCmd, args...)
	if r.code != 1 || !strings.Contains(r.errOut, "generate-csr writes new keys only, and these files exist: ["+filepath.Join(certDir, "apiserver.key")) {
		t.Errorf("second run: exit %d, stderr %q", r.code, r.errOut)
	}
	if again, _ := os.ReadFile(filepath.Join(certDir, "apiserver.key")); string(again) != string(key) {
		t.Error("the second run replaced a key")
	}
}
