package controlplane

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/staticpod"
)

// AdvertiseAddressAnnotation tells kubeadm-compatible tools, on the Pod
// itself, where this API server instance can be reached.
const AdvertiseAddressAnnotation = "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint"

// etcdClientPort is where a stacked etcd serves clients on the node.
const etcdClientPort = 2379

// APIServer builds the kube-apiserver Pod.
func APIServer(in Input) (*corev1.Pod, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	c := in.Cluster
	v := newVolumes()
	v.addReadOnly(certsVolume, in.CertificateDir, corev1.HostPathDirectoryOrCreate)
	if c.Etcd.External != nil {
		v.addExternalEtcdCerts(c.Etcd.External, in.CertificateDir)
	}
	v.addCACerts(in.CACertDirs)
	v.addExtra(c.APIServer.ExtraVolumes)
	vols, mounts := v.list()

	endpoint := net.JoinHostPort(in.Endpoint.AdvertiseAddress, strconv.Itoa(int(in.Endpoint.BindPort)))
	host := staticpod.ProbeHost(in.Endpoint.AdvertiseAddress)
	timeout := in.healthCheckTimeout()
	ctr := corev1.Container{
		Name:            KubeAPIServer,
		Image:           config.KubernetesImage(c, KubeAPIServer),
		ImagePullPolicy: in.pullPolicy(),
		Command:         staticpod.Command(KubeAPIServer, apiServerFlags(in), c.APIServer.ExtraArgs),
		VolumeMounts:    mounts,
		LivenessProbe:   staticpod.Liveness(host, "/livez", corev1.URISchemeHTTPS),
		ReadinessProbe:  staticpod.Readiness(host, "/readyz", corev1.URISchemeHTTPS),
		StartupProbe:    staticpod.Startup(host, "/livez", corev1.URISchemeHTTPS, timeout),
		Resources:       staticpod.CPURequest("250m"),
		Env:             staticpod.Env(staticpod.ProxyEnv(in.Environ), c.APIServer.ExtraEnvs),
		Ports:           []corev1.ContainerPort{staticpod.Port(in.Endpoint.BindPort)},
	}
	return staticpod.New(ctr, vols, map[string]string{AdvertiseAddressAnnotation: endpoint}), nil
}

// apiServerFlags are kadm's own kube-apiserver flags, before extraArgs.
func apiServerFlags(in Input) []config.Arg {
	c := in.Cluster
	pki := func(name string) string { return filepath.Join(in.CertificateDir, name) }
	args := []config.Arg{
		{Name: "advertise-address", Value: in.Endpoint.AdvertiseAddress},
		{Name: "allow-privileged", Value: "true"},
		{Name: "client-ca-file", Value: pki("ca.crt")},
		{Name: "enable-admission-plugins", Value: "NodeRestriction"},
		{Name: "enable-bootstrap-token-auth", Value: "true"},
		{Name: "kubelet-client-certificate", Value: pki("apiserver-kubelet-client.crt")},
		{Name: "kubelet-client-key", Value: pki("apiserver-kubelet-client.key")},
		{Name: "kubelet-preferred-address-types", Value: "InternalIP,ExternalIP,Hostname"},
		// The front proxy (aggregation layer) flags are always set: the
		// front-proxy certificates always exist on a kadm control plane.
		{Name: "proxy-client-cert-file", Value: pki("front-proxy-client.crt")},
		{Name: "proxy-client-key-file", Value: pki("front-proxy-client.key")},
		{Name: "requestheader-allowed-names", Value: "front-proxy-client"},
		{Name: "requestheader-client-ca-file", Value: pki("front-proxy-ca.crt")},
		{Name: "requestheader-extra-headers-prefix", Value: "X-Remote-Extra-"},
		{Name: "requestheader-group-headers", Value: "X-Remote-Group"},
		{Name: "requestheader-username-headers", Value: "X-Remote-User"},
		{Name: "secure-port", Value: strconv.Itoa(int(in.Endpoint.BindPort))},
		{Name: "service-account-issuer", Value: "https://kubernetes.default.svc." + c.Networking.DNSDomain},
		{Name: "service-account-key-file", Value: pki("sa.pub")},
		{Name: "service-account-signing-key-file", Value: pki("sa.key")},
		{Name: "service-cluster-ip-range", Value: c.Networking.ServiceSubnet},
		{Name: "tls-cert-file", Value: pki("apiserver.crt")},
		{Name: "tls-private-key-file", Value: pki("apiserver.key")},
	}
	args = append(args, etcdFlags(in)...)
	// An authorization config file replaces the mode flag; the two are
	// exclusive in kube-apiserver.
	if _, ok := staticpod.ArgValue(c.APIServer.ExtraArgs, "authorization-config"); !ok {
		args = append(args, config.Arg{Name: "authorization-mode", Value: "Node,RBAC"})
	}
	return args
}

// etcdFlags point the API server at its etcd: the external cluster with the
// user's client certificate when configured, otherwise the stacked member on
// the node's loopback address of the advertise address's family (etcd
// listens there), with the certificate kadm issued for it.
func etcdFlags(in Input) []config.Arg {
	if ext := in.Cluster.Etcd.External; ext != nil {
		args := []config.Arg{{Name: "etcd-servers", Value: strings.Join(ext.Endpoints, ",")}}
		if ext.CAFile != "" {
			args = append(args, config.Arg{Name: "etcd-cafile", Value: ext.CAFile})
		}
		if ext.CertFile != "" && ext.KeyFile != "" {
			args = append(args,
				config.Arg{Name: "etcd-certfile", Value: ext.CertFile},
				config.Arg{Name: "etcd-keyfile", Value: ext.KeyFile})
		}
		return args
	}
	servers := "https://" + net.JoinHostPort(loopback(in.Endpoint.AdvertiseAddress), strconv.Itoa(etcdClientPort))
	if local := in.Cluster.Etcd.Local; local != nil {
		// etcd's own advertised client URLs, when the user sets them, are
		// where it is really reachable.
		if urls, ok := staticpod.ArgValue(local.ExtraArgs, "advertise-client-urls"); ok {
			servers = urls
		}
	}
	return []config.Arg{
		{Name: "etcd-servers", Value: servers},
		{Name: "etcd-cafile", Value: filepath.Join(in.CertificateDir, "etcd", "ca.crt")},
		{Name: "etcd-certfile", Value: filepath.Join(in.CertificateDir, "apiserver-etcd-client.crt")},
		{Name: "etcd-keyfile", Value: filepath.Join(in.CertificateDir, "apiserver-etcd-client.key")},
	}
}

// loopback is the loopback address of addr's family.
func loopback(addr string) string {
	if ip := net.ParseIP(addr); ip != nil && ip.To4() == nil {
		return "::1"
	}
	return "127.0.0.1"
}
