package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/cri"
	"github.com/kadm-project/kadm/node/cri/crifake"
	"github.com/kadm-project/kadm/node/machine"
)

// defaultImages are kubeadm v1.37.2's images for the defaults.
var defaultImages = []string{
	"registry.k8s.io/kube-apiserver:v1.37.2",
	"registry.k8s.io/kube-controller-manager:v1.37.2",
	"registry.k8s.io/kube-scheduler:v1.37.2",
	"registry.k8s.io/kube-proxy:v1.37.2",
	"registry.k8s.io/coredns/coredns:v1.14.6",
	"registry.k8s.io/pause:3.10.2",
	"registry.k8s.io/etcd:3.7.0-0",
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigImagesList(t *testing.T) {
	t.Parallel()
	cluster := writeFile(t, "cluster.yaml", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nimageRepository: lab.test:5000/k8s\nkubernetesVersion: v1.36.4\n")
	jsonPathFile := writeFile(t, "images.jsonpath", `{range .images[*]}{@}{" "}{end}`)
	tests := []struct {
		name    string
		args    []string
		out     string
		errOut  string
		code    int
		outJSON bool
	}{
		{name: "text", out: strings.Join(defaultImages, "\n") + "\n"},
		{name: "json", args: []string{"-o", "json"}, outJSON: true},
		{name: "yaml", args: []string{"-o", "yaml"}, out: "apiVersion: output.kubeadm.k8s.io/v1alpha3\nimages:\n- " + strings.Join(defaultImages, "\n- ") + "\nkind: Images\n"},
		{name: "jsonpath", args: []string{"-o", "jsonpath={.images[5]}"}, out: "registry.k8s.io/pause:3.10.2"},
		{name: "jsonpath file", args: []string{"-o", "jsonpath-file=" + jsonPathFile}, out: strings.Join(defaultImages, " ") + " "},
		{
			name: "the flag wins over the file and says so on stderr", args: []string{"--config", cluster, "--image-repository", "mirror.test"},
			out:    "mirror.test/kube-apiserver:v1.36.4\n",
			errOut: "[config] --image-repository overrides imageRepository from " + cluster + "\n",
		},
		{name: "go-template", args: []string{"-o", "go-template={{.kind}} {{len .images}}"}, out: "Images 7"},
		{name: "an unknown format", args: []string{"-o", "wide"}, code: ExitUsage, errOut: `unsupported output format`},
		{name: "a jsonpath without template", args: []string{"-o", "jsonpath"}, code: ExitUsage, errOut: "needs a template"},
		{name: "an unknown feature gate", args: []string{"--feature-gates", "Foo=true"}, code: ExitUsage, errOut: `unknown feature gate "Foo"`},
		{name: "a version too old", args: []string{"--kubernetes-version", "v1.35.0"}, code: ExitUsage, errOut: "too old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runSub(t, newConfigCmd, append([]string{"config", "images", "list"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.out, r.errOut)
			}
			if tt.outJSON {
				var got imagesObject
				if err := json.Unmarshal([]byte(r.out), &got); err != nil || got.Kind != "Images" || got.APIVersion != outputAPIVersion || strings.Join(got.Images, ",") != strings.Join(defaultImages, ",") {
					t.Errorf("JSON output %s does not decode to the images (%v)", r.out, err)
				}
			} else if !strings.HasPrefix(r.out, tt.out) {
				t.Errorf("stdout:\n%s\nwant it to start with:\n%s", r.out, tt.out)
			}
			if !strings.Contains(r.errOut, tt.errOut) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", r.errOut, tt.errOut)
			}
		})
	}
}

// pullCmdOn builds `config` whose `images pull` reaches the runtime rt.
func pullCmdOn(connect func() machine.Host) func(IOStreams) *cobra.Command {
	return func(s IOStreams) *cobra.Command {
		cmd := &cobra.Command{Use: "config"}
		images := &cobra.Command{Use: "images"}
		images.AddCommand(newConfigImagesPullCmd(s, connect))
		cmd.AddCommand(images)
		return cmd
	}
}

func TestConfigImagesPull(t *testing.T) {
	t.Parallel()
	const socket = "unix:///run/test/cri.sock"
	t.Run("pulls each image and reports it", func(t *testing.T) {
		t.Parallel()
		// Present images are pulled all the same, as kubeadm does.
		rt := &crifake.Runtime{Images: defaultImages[:2]}
		r := runSub(t, pullCmdOn(func() machine.Host { return machine.Host{CRI: rt.Connect} }), "config", "images", "pull", "--cri-socket", socket)
		if r.code != 0 {
			t.Fatalf("exit code %d\n%s%s", r.code, r.out, r.errOut)
		}
		want := "[config/images] Pulled " + strings.Join(defaultImages, "\n[config/images] Pulled ") + "\n"
		if r.out != want {
			t.Errorf("stdout:\n%s\nwant:\n%s", r.out, want)
		}
		if got := rt.Pulls(); strings.Join(got, ",") != strings.Join(defaultImages, ",") {
			t.Errorf("pulled %q", got)
		}
		if !rt.Closed() {
			t.Error("the connection to the runtime was left open")
		}
	})
	t.Run("the configuration's repository and socket", func(t *testing.T) {
		t.Parallel()
		cfg := writeFile(t, "kubeadm.yaml", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration:\n  criSocket: "+socket+"\n"+
			"---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nimageRepository: lab.test:5000\n")
		rt := &crifake.Runtime{}
		var asked string
		host := func() machine.Host {
			return machine.Host{CRI: func(ctx context.Context, endpoint string) (cri.Runtime, error) {
				asked = endpoint
				return rt.Connect(ctx, endpoint)
			}}
		}
		r := runSub(t, pullCmdOn(host), "config", "images", "pull", "--config", cfg)
		if r.code != 0 {
			t.Fatalf("exit code %d\n%s%s", r.code, r.out, r.errOut)
		}
		if asked != socket {
			t.Errorf("connected to %q, want the configured %q", asked, socket)
		}
		if got := rt.Pulls(); len(got) != len(defaultImages) || got[0] != "lab.test:5000/kube-apiserver:"+config.DefaultKubernetesVersion {
			t.Errorf("pulled %q", got)
		}
	})
	t.Run("stops at the first failure", func(t *testing.T) {
		t.Parallel()
		rt := &crifake.Runtime{PullErrs: map[string]error{defaultImages[1]: &cri.StatusError{Code: cri.NotFound, Message: "not found"}}}
		r := runSub(t, pullCmdOn(func() machine.Host { return machine.Host{CRI: rt.Connect} }), "config", "images", "pull", "--cri-socket", socket)
		if r.code != ExitFailure {
			t.Fatalf("exit code %d, want %d", r.code, ExitFailure)
		}
		if r.out != "[config/images] Pulled "+defaultImages[0]+"\n" || len(rt.Pulls()) != 2 {
			t.Errorf("stdout %q, pulls %q", r.out, rt.Pulls())
		}
		if want := "failed to pull image " + defaultImages[1] + ": not found; check that this node reaches the registry"; !strings.Contains(r.errOut, want) {
			t.Errorf("stderr %q lacks %q", r.errOut, want)
		}
	})
	t.Run("an unreachable runtime", func(t *testing.T) {
		t.Parallel()
		r := runSub(t, pullCmdOn(func() machine.Host { return machine.Host{CRI: crifake.Unreachable} }), "config", "images", "pull", "--cri-socket", socket)
		if want := "could not connect to the container runtime at " + socket; r.code != ExitFailure || !strings.Contains(r.errOut, want) {
			t.Errorf("exit code %d, stderr %q; want %d and %q", r.code, r.errOut, ExitFailure, want)
		}
	})
}
