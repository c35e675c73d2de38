package preflight

import (
	"cmp"
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/util/version"
	netutils "k8s.io/utils/net"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/machine"
)

// Ports and paths kubeadm v1.37 checks.
const (
	KubeletPort               = 10250
	KubeSchedulerPort         = 10259
	KubeControllerManagerPort = 10257
	EtcdClientPort            = 2379
	EtcdPeerPort              = 2380

	ipv4Forward           = "/proc/sys/net/ipv4/ip_forward"
	ipv6DefaultForwarding = "/proc/sys/net/ipv6/conf/default/forwarding"
)

// RootChecks is the check kubeadm runs on its own, before all others, so that
// a non-root run fails at once instead of with a list of confusing errors.
func RootChecks(h machine.Host) []Check {
	return []Check{IsPrivilegedUser{UID: h.UID}}
}

// nodeChecks are the checks init and join share: the node must be able to
// run a kubelet with a container runtime.
func nodeChecks(ctx context.Context, h machine.Host, nr *config.NodeRegistrationOptions, k8sVersion, kadmVersion string) []Check {
	socket := config.CRISocketURL(nr.CRISocket)
	checks := []Check{
		CRI{Socket: socket, Connect: h.CRI},
		ContainerRuntimeVersion{Socket: socket, Connect: h.CRI},
		Swap{Root: h.Root},
	}
	checks = append(checks, requiredTools(h.LookPath)...)
	// Without a kubelet to ask, the cgroups rules of the release kadm deploys apply.
	fallback := cmp.Or(k8sVersion, kadmVersion)
	return append(checks,
		SystemVerification{FallbackKubeletVersion: fallback, Run: h.Run, Validators: h.SystemValidators},
		Hostname{NodeName: nr.Name, LookupHost: h.LookupHost},
		KubeletVersion{KubernetesVersion: k8sVersion, Min: minKubelet(kadmVersion), Run: h.Run},
		Service{Service: "kubelet", InitSystem: h.InitSystem},
		PortOpen{Port: KubeletPort, Listen: h.Listen},
	)
}

// forwardingChecks require packet forwarding for each IP family in use, which
// Pod networking needs.
func forwardingChecks(h machine.Host, ipv4, ipv6 bool) []Check {
	var checks []Check
	if ipv4 {
		checks = append(checks, FileContent{Path: ipv4Forward, Content: []byte{'1'}, Root: h.Root})
	}
	if ipv6 {
		checks = append(checks, FileContent{Path: ipv6DefaultForwarding, Content: []byte{'1'}, Root: h.Root})
	}
	return checks
}

// families reports which IP families the CIDRs of a comma-separated list use.
func families(cidrs string) (ipv4, ipv6 bool) {
	for _, c := range strings.Split(cidrs, ",") {
		ipv4 = ipv4 || netutils.IsIPv4CIDRString(c)
		ipv6 = ipv6 || netutils.IsIPv6CIDRString(c)
	}
	return ipv4, ipv6
}

func minKubelet(kadmVersion string) *version.Version {
	v, err := version.ParseSemantic(kadmVersion)
	if err != nil {
		v = version.MustParseSemantic(config.DefaultKubernetesVersion)
	}
	return MinKubeletVersion(v)
}

// lastArg is the value of the last extra argument called name, as the
// component sees it; empty when there is none.
func lastArg(args []config.Arg, name string) string {
	value := ""
	for _, a := range args {
		if a.Name == name {
			value = a.Value
		}
	}
	return value
}
