package preflight

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/config"
)

func TestJoinChecks(t *testing.T) {
	t.Parallel()
	common := []string{"CRI", "ContainerRuntimeVersion", "Swap", "FileExisting-losetup", "FileExisting-mount", "FileExisting-cp", "SystemVerification",
		"Hostname", "KubeletVersion", "Service-kubelet", "Port-10250"}
	files := []string{"FileAvailable--etc-kubernetes-kubelet.conf", "FileAvailable--etc-kubernetes-bootstrap-kubelet.conf"}
	tests := []struct {
		name string
		edit func(*config.JoinConfiguration)
		want []string
	}{
		{
			name: "worker with token discovery",
			want: slices.Concat(files, common, []string{"FileAvailable--etc-kubernetes-pki-ca.crt", "HTTPProxy", "FileContent--proc-sys-net-ipv4-ip_forward"}),
		},
		{
			name: "control plane over IPv6",
			edit: func(c *config.JoinConfiguration) {
				c.ControlPlane = &config.JoinControlPlane{}
				c.Discovery.BootstrapToken.APIServerEndpoint = "[fd00::1]:6443"
			},
			want: slices.Concat(files, common, []string{"HTTPProxy", "FileContent--proc-sys-net-ipv6-conf-default-forwarding"}),
		},
		{
			name: "file discovery",
			edit: func(c *config.JoinConfiguration) {
				c.Discovery = config.Discovery{File: &config.FileDiscovery{KubeConfigPath: "/etc/discovery.conf"}}
			},
			want: slices.Concat(files, common, []string{"FileAvailable--etc-kubernetes-pki-ca.crt"}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := &config.JoinConfiguration{
				NodeRegistration: config.NodeRegistrationOptions{Name: "worker-1", CRISocket: config.DefaultCRISocket},
				Discovery: config.Discovery{BootstrapToken: &config.BootstrapTokenDiscovery{
					Token: config.PlaceholderToken, APIServerEndpoint: "10.0.0.1:6443", UnsafeSkipCAVerification: true}},
			}
			if tt.edit != nil {
				tt.edit(cfg)
			}
			config.SetJoinDefaults(cfg)
			checks := JoinChecks(context.Background(), JoinParams{Cfg: cfg, KubeconfigDir: "/etc/kubernetes", KadmVersion: "v1.37.2"}, healthyHost(&ports{}))
			if got := names(checks); !slices.Equal(got, tt.want) {
				t.Errorf("checks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if r, err := Run(context.Background(), checks, nil); err != nil || len(r.Warnings) > 0 {
				t.Errorf("Run() on a healthy host: warnings %q, error %v", r.WarningLines(), err)
			}
		})
	}
}

func TestJoinChecksFindAnExistingKubeletConf(t *testing.T) {
	t.Parallel()
	cfg := &config.JoinConfiguration{NodeRegistration: config.NodeRegistrationOptions{Name: "worker-1", CRISocket: config.DefaultCRISocket}}
	config.SetJoinDefaults(cfg)
	h := healthyHost(&ports{})
	root := healthyRoot()
	root["etc/kubernetes/kubelet.conf"] = root["proc/swaps"]
	h.Root = root
	_, err := Run(context.Background(), JoinChecks(context.Background(), JoinParams{Cfg: cfg, KubeconfigDir: "/etc/kubernetes", KadmVersion: "v1.37.2"}, h), nil)
	if err == nil || !strings.Contains(err.Error(), "[ERROR FileAvailable--etc-kubernetes-kubelet.conf]: /etc/kubernetes/kubelet.conf already exists") {
		t.Fatalf("Run() error = %v", err)
	}
}
