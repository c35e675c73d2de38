package preflight

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/cri/crifake"
	"github.com/kadm-project/kadm/node/machine"
)

func names(checks []Check) []string {
	out := make([]string, len(checks))
	for i, c := range checks {
		out[i] = c.Name()
	}
	return out
}

// healthyHost is a host on which every init and join check passes.
func healthyHost(p *ports) machine.Host {
	return machine.Host{
		Root:             healthyRoot(),
		Listen:           p.listen,
		CRI:              (&crifake.Runtime{RuntimeConfig: true}).Connect,
		LookPath:         func(file string) (string, error) { return "/usr/bin/" + file, nil },
		Run:              commands{"kubelet --version": {out: "Kubernetes v1.37.2"}}.run,
		InitSystem:       withSystemd(commands{"systemctl status kubelet": {}, "systemctl is-enabled kubelet": {}, "systemctl status firewalld": {out: "Unit firewalld.service could not be found."}}),
		UID:              func() int { return 0 },
		NumCPU:           func() int { return 4 },
		LookupHost:       func(context.Context, string) ([]string, error) { return []string{"10.0.0.1"}, nil },
		Proxy:            proxyFor(""),
		SystemValidators: validators(new(string), fakeValidator{}),
	}
}

func initConfig() (*config.InitConfiguration, *config.ClusterConfiguration) {
	cfg := config.DefaultInitConfiguration()
	cfg.NodeRegistration.Name = "cp-1"
	cfg.NodeRegistration.CRISocket = config.DefaultCRISocket
	cfg.LocalAPIEndpoint.AdvertiseAddress = "10.0.0.1"
	return cfg, config.DefaultClusterConfiguration()
}

func TestInitChecks(t *testing.T) {
	t.Parallel()
	defaultNames := []string{
		"NumCPU", "Mem", "KubernetesVersion", "Firewalld", "Port-6443", "Port-10259", "Port-10257",
		"FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml",
		"FileAvailable--etc-kubernetes-manifests-kube-controller-manager.yaml",
		"FileAvailable--etc-kubernetes-manifests-kube-scheduler.yaml",
		"FileAvailable--etc-kubernetes-manifests-etcd.yaml",
		"HTTPProxy", "HTTPProxyCIDR", "HTTPProxyCIDR",
		"CRI", "ContainerRuntimeVersion", "Swap", "FileExisting-losetup", "FileExisting-mount", "FileExisting-cp", "SystemVerification",
		"Hostname", "KubeletVersion", "Service-kubelet", "Port-10250",
		"FileContent--proc-sys-net-ipv4-ip_forward",
		"Port-2379", "Port-2380", "DirAvailable--var-lib-etcd",
	}
	tests := []struct {
		name      string
		edit      func(*InitParams)
		wantNames []string
		wantBound []string
	}{
		{
			name:      "defaults",
			wantNames: defaultNames,
			wantBound: []string{"tcp :6443", "tcp :10259", "tcp :10257", "tcp :10250", "tcp 10.0.0.1:2379", "tcp 10.0.0.1:2380"},
		},
		{
			name: "dry-run manifest directory keeps kubeadm's names",
			edit: func(p *InitParams) {
				p.ManifestDir = "/tmp/kadm-init-dryrun-1/manifests"
			},
			wantNames: defaultNames,
		},
		{
			name: "bind addresses, dual stack and etcd advertise address from extra args",
			edit: func(p *InitParams) {
				p.Cfg.LocalAPIEndpoint.BindPort = 8443
				p.Cluster.APIServer.ExtraArgs = []config.Arg{{Name: "bind-address", Value: "10.0.0.1"}, {Name: "advertise-address", Value: "10.0.0.9"}}
				p.Cluster.Scheduler.ExtraArgs = []config.Arg{{Name: "bind-address", Value: "127.0.0.1"}}
				p.Cluster.Networking.PodSubnet = "10.244.0.0/16,fd00:244::/56"
			},
			wantNames: slices.Concat(
				[]string{"NumCPU", "Mem", "KubernetesVersion", "Firewalld", "Port-8443"},
				defaultNames[5:13], []string{"HTTPProxyCIDR", "HTTPProxyCIDR"}, defaultNames[14:25],
				[]string{"FileContent--proc-sys-net-ipv4-ip_forward", "FileContent--proc-sys-net-ipv6-conf-default-forwarding"},
				defaultNames[26:]),
			wantBound: []string{"tcp 10.0.0.1:8443", "tcp 127.0.0.1:10259", "tcp :10257", "tcp :10250", "tcp 10.0.0.9:2379", "tcp 10.0.0.9:2380"},
		},
		{
			name: "external etcd",
			edit: func(p *InitParams) {
				p.Cluster.Etcd = config.Etcd{External: &config.ExternalEtcd{
					Endpoints: []string{"https://10.0.0.5:2379"}, CAFile: "/etc/etcd/ca.crt", CertFile: "/etc/etcd/client.crt", KeyFile: "/etc/etcd/client.key"}}
			},
			wantNames: slices.Concat(defaultNames[:26], []string{"ExternalEtcdClientCertificates", "ExternalEtcdClientCertificates", "ExternalEtcdClientCertificates"}),
		},
		{
			name: "control-plane join skips the node checks and downloaded certificates",
			edit: func(p *InitParams) {
				p.Secondary, p.DownloadCerts = true, true
				p.Cluster.Etcd = config.Etcd{External: &config.ExternalEtcd{Endpoints: []string{"https://10.0.0.5:2379"}, CAFile: "/etc/etcd/ca.crt"}}
			},
			wantNames: defaultNames[:14],
		},
		{
			name: "IPv6 advertise address",
			edit: func(p *InitParams) {
				p.Cfg.LocalAPIEndpoint.AdvertiseAddress = "fd00::10"
				p.Cluster.Networking.ServiceSubnet = "fd00:96::/112"
			},
			wantNames: slices.Concat(defaultNames[:25], []string{"FileContent--proc-sys-net-ipv6-conf-default-forwarding"}, defaultNames[26:]),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, cluster := initConfig()
			p := InitParams{Cfg: cfg, Cluster: cluster, ManifestDir: config.DefaultManifestsDir, KadmVersion: "v1.37.2"}
			if tt.edit != nil {
				tt.edit(&p)
			}
			bound := &ports{}
			h := healthyHost(bound)
			checks := InitChecks(context.Background(), p, h)
			if got := names(checks); !slices.Equal(got, tt.wantNames) {
				t.Errorf("checks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.wantNames, "\n"))
			}
			// On a healthy host nothing is reported: each check got the
			// system access it needs.
			if r, err := Run(context.Background(), checks, nil); err != nil || len(r.Warnings) > 0 {
				t.Errorf("Run() on a healthy host: warnings %q, error %v", r.WarningLines(), err)
			}
			if tt.wantBound != nil && !slices.Equal(bound.bound, tt.wantBound) {
				t.Errorf("bound %q, want %q", bound.bound, tt.wantBound)
			}
		})
	}
}

func TestInitChecksReadTheManifestDir(t *testing.T) {
	t.Parallel()
	cfg, cluster := initConfig()
	h := healthyHost(&ports{})
	root := healthyRoot()
	root["tmp/dry/manifests/etcd.yaml"] = root["proc/swaps"]
	h.Root = root
	_, err := Run(context.Background(), InitChecks(context.Background(), InitParams{Cfg: cfg, Cluster: cluster, ManifestDir: "/tmp/dry/manifests", KadmVersion: "v1.37.2"}, h), nil)
	want := "[ERROR FileAvailable--etc-kubernetes-manifests-etcd.yaml]: /tmp/dry/manifests/etcd.yaml already exists"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Run() error = %v, want it to contain %q", err, want)
	}
}

func TestRootChecks(t *testing.T) {
	t.Parallel()
	h := machine.Host{UID: func() int { return 1000 }}
	_, err := Run(context.Background(), RootChecks(h), nil)
	if err == nil || !strings.Contains(err.Error(), "[ERROR IsPrivilegedUser]: user is not running as root") {
		t.Fatalf("Run(context.Background(), RootChecks) error = %v", err)
	}
}
