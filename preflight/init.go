package preflight

import (
	"cmp"
	"context"
	"path/filepath"
	"strings"

	netutils "k8s.io/utils/net"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/machine"
)

// InitParams is what the init checks read besides the host.
type InitParams struct {
	Cfg     *config.InitConfiguration
	Cluster *config.ClusterConfiguration
	// ManifestDir is where the static Pod manifests will be written. The
	// checks keep kubeadm's names for the default directory whatever it is,
	// so that ignore lists do not depend on --dry-run.
	ManifestDir string
	// KadmVersion is the Kubernetes release kadm is made for.
	KadmVersion string
	// Secondary is a control-plane join: the node checks already ran as
	// part of the join's own list.
	Secondary bool
	// DownloadCerts is a control-plane join with --certificate-key: the
	// external etcd client certificates come from the cluster.
	DownloadCerts bool
}

// controlPlaneManifests are the static Pods whose files must not exist yet.
var controlPlaneManifests = []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"}

// InitChecks are kubeadm v1.37's init checks, in its order, after RootChecks;
// ImagePullChecks come after them. Like kubeadm, kadm does not ask an
// external etcd for its version.
func InitChecks(ctx context.Context, p InitParams, h machine.Host) []Check {
	cfg, cluster := p.Cfg, p.Cluster
	bindPort := int(cfg.LocalAPIEndpoint.BindPort)
	checks := []Check{
		NumCPU{Min: ControlPlaneNumCPU, Count: h.NumCPU},
		Mem{MinMB: ControlPlaneMemMB, Root: h.Root},
		KubernetesVersion{KadmVersion: p.KadmVersion, KubernetesVersion: cluster.KubernetesVersion},
		Firewalld{Ports: []int{bindPort, KubeletPort}, InitSystem: h.InitSystem},
		PortOpen{Port: bindPort, Address: lastArg(cluster.APIServer.ExtraArgs, "bind-address"), Listen: h.Listen},
		PortOpen{Port: KubeSchedulerPort, Address: lastArg(cluster.Scheduler.ExtraArgs, "bind-address"), Listen: h.Listen},
		PortOpen{Port: KubeControllerManagerPort, Address: lastArg(cluster.ControllerManager.ExtraArgs, "bind-address"), Listen: h.Listen},
	}
	for _, m := range controlPlaneManifests {
		file := m + ".yaml"
		checks = append(checks, FileAvailable{
			Path:  filepath.Join(p.ManifestDir, file),
			Label: label("FileAvailable", filepath.Join(config.DefaultManifestsDir, file)),
			Root:  h.Root,
		})
	}
	checks = append(checks, HTTPProxy{Proto: "https", Host: cfg.LocalAPIEndpoint.AdvertiseAddress, Proxy: h.Proxy})
	for _, subnets := range []string{cluster.Networking.ServiceSubnet, cluster.Networking.PodSubnet} {
		for _, cidr := range strings.Split(subnets, ",") {
			checks = append(checks, HTTPProxyCIDR{Proto: "https", CIDR: cidr, Proxy: h.Proxy})
		}
	}

	if !p.Secondary {
		checks = append(checks, nodeChecks(ctx, h, &cfg.NodeRegistration, cluster.KubernetesVersion, p.KadmVersion)...)
		v4, v6 := families(cluster.Networking.ServiceSubnet + "," + cluster.Networking.PodSubnet)
		if ip := netutils.ParseIPSloppy(cfg.LocalAPIEndpoint.AdvertiseAddress); ip != nil {
			v4, v6 = v4 || ip.To4() != nil, v6 || ip.To4() == nil
		}
		checks = append(checks, forwardingChecks(h, v4, v6)...)
	}

	if local := cluster.Etcd.Local; local != nil {
		// etcd listens on the API server's advertise address, which an
		// extra argument may override.
		addr := cmp.Or(lastArg(cluster.APIServer.ExtraArgs, "advertise-address"), cfg.LocalAPIEndpoint.AdvertiseAddress)
		checks = append(checks,
			PortOpen{Port: EtcdClientPort, Address: addr, Listen: h.Listen},
			PortOpen{Port: EtcdPeerPort, Address: addr, Listen: h.Listen},
			DirAvailable{Path: local.DataDir, Root: h.Root},
		)
	}
	if ext := cluster.Etcd.External; ext != nil && !(p.Secondary && p.DownloadCerts) {
		for _, f := range []string{ext.CAFile, ext.CertFile, ext.KeyFile} {
			if f != "" {
				checks = append(checks, FileExisting{Path: f, Label: "ExternalEtcdClientCertificates", Root: h.Root})
			}
		}
	}
	return checks
}
