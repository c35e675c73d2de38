package kubelet

// Paths, names and values kubeadm v1.37 uses for the kubelet.
const (
	// ConfigFileName holds the full KubeletConfiguration the kubelet runs with.
	ConfigFileName = "config.yaml"
	// InstanceConfigFileName holds the fields that differ between nodes
	// sharing one cluster-wide KubeletConfiguration.
	InstanceConfigFileName = "instance-config.yaml"
	// FlagsFileName is sourced by kubeadm's systemd drop-in, which passes
	// $KUBELET_KUBEADM_ARGS to the kubelet.
	FlagsFileName = "kubeadm-flags.env"
	// FlagsVariable is the one variable FlagsFileName sets.
	FlagsVariable = "KUBELET_KUBEADM_ARGS"
	// ServiceName is the kubelet's service in the init system.
	ServiceName = "kubelet"

	// HealthzBindAddress and HealthzPort are where kadm asks the kubelet to
	// serve /healthz, so that kadm can wait for it.
	HealthzBindAddress = "127.0.0.1"
	HealthzPort        = 10248

	// CgroupDriverSystemd is kubeadm's default cgroup driver.
	CgroupDriverSystemd = "systemd"
	// SystemdResolvConf is the resolv.conf with the real upstream servers
	// when systemd-resolved is active; /etc/resolv.conf then names a stub
	// on 127.0.0.53 that Pods cannot reach.
	SystemdResolvConf = "/run/systemd/resolve/resolv.conf"
	// SystemdResolvedService is the service whose activity decides resolvConf.
	SystemdResolvedService = "systemd-resolved"

	// clientCertFileName is the symlink the kubelet keeps pointing at its
	// newest client certificate and key, in its certificate directory.
	clientCertFileName = "kubelet-client-current.pem"
	// fileMode is what kubeadm gives every file it writes for the kubelet.
	fileMode = 0o644
	// dirMode is what kubeadm creates the kubelet directory with.
	dirMode = 0o700
)
