package controlplane

import (
	"path/filepath"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/staticpod"
)

// Scheduler builds the kube-scheduler Pod.
func Scheduler(in Input) (*corev1.Pod, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	c := in.Cluster
	kubeconfigFile := filepath.Join(in.KubeConfigDir, kubeconfig.SchedulerFile)
	v := newVolumes()
	v.addReadOnly(kubeconfigVolume, kubeconfigFile, corev1.HostPathFileOrCreate)
	v.addExtra(c.Scheduler.ExtraVolumes)
	vols, mounts := v.list()

	host := bindHost(c.Scheduler.ExtraArgs)
	timeout := in.healthCheckTimeout()
	ctr := corev1.Container{
		Name:            KubeScheduler,
		Image:           config.KubernetesImage(c, KubeScheduler),
		ImagePullPolicy: in.pullPolicy(),
		Command: staticpod.Command(KubeScheduler, []config.Arg{
			{Name: "authentication-kubeconfig", Value: kubeconfigFile},
			{Name: "authorization-kubeconfig", Value: kubeconfigFile},
			{Name: "bind-address", Value: "127.0.0.1"},
			{Name: "kubeconfig", Value: kubeconfigFile},
			{Name: "leader-elect", Value: "true"},
		}, c.Scheduler.ExtraArgs),
		VolumeMounts:   mounts,
		LivenessProbe:  staticpod.Liveness(host, "/livez", corev1.URISchemeHTTPS),
		ReadinessProbe: staticpod.Readiness(host, "/readyz", corev1.URISchemeHTTPS),
		StartupProbe:   staticpod.Startup(host, "/livez", corev1.URISchemeHTTPS, timeout),
		Resources:      staticpod.CPURequest("100m"),
		Env:            staticpod.Env(staticpod.ProxyEnv(in.Environ), c.Scheduler.ExtraEnvs),
		Ports:          []corev1.ContainerPort{staticpod.Port(schedulerPort)},
	}
	return staticpod.New(ctr, vols, nil), nil
}
