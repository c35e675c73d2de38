//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// configImagesFiles are the configuration files of TestConfigImagesList.
var configImagesFiles = map[string]string{
	"custom.yaml": `apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.36.4
imageRepository: registry.lab.test:5000/k8s
etcd:
  local:
    imageRepository: quay.io/coreos
    imageTag: v3.6.1
dns:
  imageRepository: docker.io/coredns
  imageTag: 1.11.0
`,
	"disabled.yaml": `apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: 1.37.2+vendor.1
proxy:
  disabled: true
dns:
  disabled: true
etcd:
  external:
    endpoints: ["https://10.0.0.1:2379"]
`,
	"both.yaml": `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
nodeRegistration:
  imagePullPolicy: Never
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
imageRepository: 10.77.0.1:5000
kubernetesVersion: v1.37.1
`,
	"join.yaml": `apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: 10.0.0.1:6443
    token: abcdef.0123456789abcdef
    unsafeSkipCAVerification: true
`,
	"images.jsonpath": `{range .images[*]}{@}{"\n"}{end}`,
	"images.tmpl":     "{{range .images}}{{.}}\n{{end}}",
}

// TestConfigImagesList runs `kadm config images list` and upstream
// `kubeadm config images list` over the same inputs: each prints exactly
// what the other does, and they fail on the same inputs. Release labels
// resolve to v1.37.2 in both, as the lab reaches no dl.k8s.io. Left out are
// the inputs where kadm differs on purpose (README): a flag next to --config
// (kadm applies it, kubeadm ignores it) and a template that fails (kubeadm
// dumps its debugging help on stdout, kadm only says why on stderr); and
// ci/ labels, for which kubeadm switches to its CI image repository and
// kadm does not.
func TestConfigImagesList(t *testing.T) {
	t.Parallel()
	requireKadm(t)
	dir := t.TempDir()
	for name, content := range configImagesFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		nil,
		{"--kubernetes-version", "v1.36.0"},
		{"--kubernetes-version", "1.37.1"},
		{"--kubernetes-version", "v1.38.0"},
		{"--kubernetes-version", "v1.37.2-rc.1"},
		{"--kubernetes-version", "v1.37.2+vendor.1"},
		{"--kubernetes-version", "1.35.1"},
		{"--kubernetes-version", "banana"},
		{"--kubernetes-version", "stable-1"},
		{"--kubernetes-version", "latest"},
		{"--kubernetes-version", "stable-1.36"},
		{"--image-repository", "my.reg/k8s"},
		{"--image-repository", "10.77.0.1:5000"},
		{"--image-repository", "registry.k8s.io/"},
		{"--config", "custom.yaml"},
		{"--config", "disabled.yaml"},
		{"--config", "both.yaml"},
		{"--config", "join.yaml"},
		{"--config", "missing.yaml"},
		{"--feature-gates", "RootlessControlPlane=true"},
		{"--feature-gates", "Foo=true"},
		{"-o", "text"},
		{"-o", "json"},
		{"-o", "yaml"},
		{"-o", "kyaml"},
		{"--config", "custom.yaml", "-o", "json"},
		{"--show-managed-fields", "-o", "yaml"},
		{"-o", "go-template={{.kind}}"},
		{"-o", "go-template={{range .images}}{{.}}\n{{end}}"},
		{"-o", "template={{.apiVersion}}"},
		{"-o", "go-template-file=images.tmpl"},
		{"-o", "templatefile=images.tmpl"},
		{"-o", "go-template={{.nothing}}"},
		{"-o", "go-template={{.kind"},
		{"-o", "jsonpath={.images[0]}"},
		{"-o", "jsonpath-as-json={.images}"},
		{"-o", "jsonpath-file=images.jsonpath"},
		{"-o", "jsonpath={.nothing}"},
		{"--allow-missing-template-keys=false", "-o", "jsonpath={.nothing}"},
		{"-o", "jsonpath"},
		{"-o", "wide"},
		{"extra"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t, time.Minute)
			run := func(program string) ([]byte, bool) {
				cmd := exec.CommandContext(ctx, program, append([]string{"config", "images", "list"}, args...)...)
				cmd.Dir = dir
				cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir}
				var stdout bytes.Buffer
				cmd.Stdout = &stdout
				err := cmd.Run()
				var exit *exec.ExitError
				if err != nil && !errors.As(err, &exit) {
					t.Fatalf("%s: %v", program, err)
				}
				return stdout.Bytes(), err == nil
			}
			want, wantOK := run(filepath.Join(suite.lab.BinDir, "kubeadm"))
			got, gotOK := run(suite.kadm)
			if gotOK != wantOK {
				t.Errorf("kadm succeeded: %v, kubeadm: %v", gotOK, wantOK)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("kadm printed\n%q\nkubeadm printed\n%q", got, want)
			}
		})
	}
}
