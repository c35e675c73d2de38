package config

import (
	"regexp"
	"sync"
)

// The images kubeadm v1.37 deploys besides the Kubernetes components, whose
// tag is the cluster's Kubernetes version.
const (
	// EtcdVersion is the etcd image tag for every Kubernetes version kadm
	// deploys (kubeadm's default when its per-release table has no entry).
	EtcdVersion = "3.7.0-0"
	// CoreDNSVersion is the CoreDNS release kubeadm v1.37 deploys.
	CoreDNSVersion = "v1.14.6"
	// PauseVersion is the tag of the sandbox image under the image repository.
	PauseVersion = "3.10.2"
)

// Image names under the image repository.
const (
	ImageKubeAPIServer         = "kube-apiserver"
	ImageKubeControllerManager = "kube-controller-manager"
	ImageKubeScheduler         = "kube-scheduler"
	ImageKubeProxy             = "kube-proxy"
	ImageEtcd                  = "etcd"
	ImageCoreDNS               = "coredns"
	ImagePause                 = "pause"
)

// imageTagInvalid matches what an image tag may not hold; a version such as
// v1.37.2+vendor.1 becomes the tag v1.37.2_vendor.1.
var imageTagInvalid = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^-\w.]`) })

// KubernetesImage is the image of a Kubernetes component (kube-apiserver,
// kube-controller-manager, kube-scheduler, kube-proxy) released with c's
// Kubernetes version. The version is the normalised one SetClusterDefaults
// leaves, so "1.37.2" and "v1.37.2" name the same image.
func KubernetesImage(c *ClusterConfiguration, name string) string {
	return c.ImageRepository + "/" + name + ":" + imageTagInvalid().ReplaceAllString(c.KubernetesVersion, "_")
}

// EtcdImage is the local etcd's image: etcd.local's imageRepository and
// imageTag when set, otherwise the cluster's repository and EtcdVersion.
func EtcdImage(c *ClusterConfiguration) string {
	repo, tag := c.ImageRepository, EtcdVersion
	if l := c.Etcd.Local; l != nil {
		if l.ImageRepository != "" {
			repo = l.ImageRepository
		}
		if l.ImageTag != "" {
			tag = l.ImageTag
		}
	}
	return repo + "/" + ImageEtcd + ":" + tag
}

// CoreDNSImage is the CoreDNS image: dns.imageRepository and dns.imageTag
// override the cluster's repository and CoreDNSVersion. The default registry
// keeps CoreDNS one level down, under coredns/.
func CoreDNSImage(c *ClusterConfiguration) string {
	repo := c.ImageRepository
	if c.DNS.ImageRepository != "" {
		repo = c.DNS.ImageRepository
	}
	if repo == DefaultImageRepository {
		repo += "/" + ImageCoreDNS
	}
	tag := CoreDNSVersion
	if c.DNS.ImageTag != "" {
		tag = c.DNS.ImageTag
	}
	return repo + "/" + ImageCoreDNS + ":" + tag
}

// PauseImage is the sandbox image the container runtime should run Pods in.
func PauseImage(c *ClusterConfiguration) string {
	return c.ImageRepository + "/" + ImagePause + ":" + PauseVersion
}

// Images lists every image a control-plane node of c runs, in the order
// `kubeadm config images list` prints them: the control-plane components,
// kube-proxy and CoreDNS unless disabled, the sandbox image, and etcd when
// it is stacked.
func Images(c *ClusterConfiguration) []string {
	images := []string{
		KubernetesImage(c, ImageKubeAPIServer),
		KubernetesImage(c, ImageKubeControllerManager),
		KubernetesImage(c, ImageKubeScheduler),
	}
	if !c.Proxy.Disabled {
		images = append(images, KubernetesImage(c, ImageKubeProxy))
	}
	if !c.DNS.Disabled {
		images = append(images, CoreDNSImage(c))
	}
	images = append(images, PauseImage(c))
	if c.Etcd.Local != nil {
		images = append(images, EtcdImage(c))
	}
	return images
}
