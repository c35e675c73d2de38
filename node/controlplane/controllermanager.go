package controlplane

import (
	"path/filepath"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/staticpod"
)

// Ports the controller manager and the scheduler serve their health on.
const (
	controllerManagerPort = 10257
	schedulerPort         = 10259
)

// ControllerManager builds the kube-controller-manager Pod.
func ControllerManager(in Input) (*corev1.Pod, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	c := in.Cluster
	kubeconfigFile := filepath.Join(in.KubeConfigDir, kubeconfig.ControllerManagerFile)
	v := newVolumes()
	v.addReadOnly(certsVolume, in.CertificateDir, corev1.HostPathDirectoryOrCreate)
	v.addReadOnly(kubeconfigVolume, kubeconfigFile, corev1.HostPathFileOrCreate)
	v.addCACerts(in.CACertDirs)
	v.addExtra(c.ControllerManager.ExtraVolumes)
	vols, mounts := v.list()

	host := bindHost(c.ControllerManager.ExtraArgs)
	ctr := corev1.Container{
		Name:            KubeControllerManager,
		Image:           config.KubernetesImage(c, KubeControllerManager),
		ImagePullPolicy: in.pullPolicy(),
		Command:         staticpod.Command(KubeControllerManager, controllerManagerFlags(in, kubeconfigFile), c.ControllerManager.ExtraArgs),
		VolumeMounts:    mounts,
		LivenessProbe:   staticpod.Liveness(host, "/healthz", corev1.URISchemeHTTPS),
		StartupProbe:    staticpod.Startup(host, "/healthz", corev1.URISchemeHTTPS, in.healthCheckTimeout()),
		Resources:       staticpod.CPURequest("200m"),
		Env:             staticpod.Env(staticpod.ProxyEnv(in.Environ), c.ControllerManager.ExtraEnvs),
		Ports:           []corev1.ContainerPort{staticpod.Port(controllerManagerPort)},
	}
	return staticpod.New(ctr, vols, nil), nil
}

func controllerManagerFlags(in Input, kubeconfigFile string) []config.Arg {
	c := in.Cluster
	pki := func(name string) string { return filepath.Join(in.CertificateDir, name) }
	signingCert, signingKey := pki("ca.crt"), pki("ca.key")
	if in.ExternalCA {
		signingCert, signingKey = "", ""
	}
	args := []config.Arg{
		{Name: "authentication-kubeconfig", Value: kubeconfigFile},
		{Name: "authorization-kubeconfig", Value: kubeconfigFile},
		{Name: "bind-address", Value: "127.0.0.1"},
		{Name: "client-ca-file", Value: pki("ca.crt")},
		{Name: "cluster-signing-cert-file", Value: signingCert},
		{Name: "cluster-signing-key-file", Value: signingKey},
		// The bootstrap-token controllers are off by default in
		// kube-controller-manager; kubeadm-style joins need them.
		{Name: "controllers", Value: "*,bootstrapsigner,tokencleaner"},
		{Name: "kubeconfig", Value: kubeconfigFile},
		{Name: "leader-elect", Value: "true"},
		{Name: "requestheader-client-ca-file", Value: pki("front-proxy-ca.crt")},
		{Name: "root-ca-file", Value: pki("ca.crt")},
		{Name: "service-account-private-key-file", Value: pki("sa.key")},
		{Name: "use-service-account-credentials", Value: "true"},
	}
	// With a Pod subnet the controller manager hands each node its share.
	if c.Networking.PodSubnet != "" {
		args = append(args,
			config.Arg{Name: "allocate-node-cidrs", Value: "true"},
			config.Arg{Name: "cluster-cidr", Value: c.Networking.PodSubnet})
		if c.Networking.ServiceSubnet != "" {
			args = append(args, config.Arg{Name: "service-cluster-ip-range", Value: c.Networking.ServiceSubnet})
		}
	}
	if c.ClusterName != "" {
		args = append(args, config.Arg{Name: "cluster-name", Value: c.ClusterName})
	}
	return args
}

// bindHost is where to probe a component whose only address setting is its
// --bind-address extraArg; by default it binds to the loopback address.
func bindHost(extra []config.Arg) string {
	if addr, ok := staticpod.ArgValue(extra, "bind-address"); ok {
		return staticpod.ProbeHost(addr)
	}
	return "127.0.0.1"
}
