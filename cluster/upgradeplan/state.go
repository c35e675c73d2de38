package upgradeplan

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kadm-project/kadm/cluster/kube"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/cluster/objects"
)

// Component names, as the mirror Pods' component label and kubeadm's plan call them.
const (
	KubeAPIServer         = "kube-apiserver"
	KubeControllerManager = "kube-controller-manager"
	KubeScheduler         = "kube-scheduler"
	Etcd                  = "etcd"
	Kubelet               = "kubelet"
	KubeProxy             = "kube-proxy"
	CoreDNS               = "CoreDNS"
	Kubeadm               = "kubeadm"
)

// Versions maps a version to the nodes that run it, sorted.
type Versions map[string][]string

// Sorted lists the versions in string order, as kubeadm prints them.
func (v Versions) Sorted() []string { return slices.Sorted(maps.Keys(v)) }

// State is what a cluster runs now.
type State struct {
	// ClusterVersion is the API server's version as it reports it.
	ClusterVersion string
	APIServer      Versions
	Controller     Versions
	Scheduler      Versions
	// Etcd is empty when no stacked etcd Pod runs: the etcd is external.
	Etcd    Versions
	Kubelet Versions
	// DNS is the CoreDNS image tag; empty without a CoreDNS Deployment.
	DNS string
}

// dnsSelector finds the cluster DNS Deployment, whatever server it runs.
const dnsSelector = "k8s-app=kube-dns"

// Read asks the API server what the cluster runs: its version, the image tags of the
// control-plane mirror Pods per node, the kubelet version of every Node and the CoreDNS
// image. Transient errors are retried within p.
func Read(ctx context.Context, client kube.Interface, p objects.Policy) (*State, error) {
	s := &State{Kubelet: Versions{}}
	err := objects.Retry(ctx, p, func(ctx context.Context) error {
		info, err := client.ServerVersion(ctx)
		if err != nil {
			return err
		}
		s.ClusterVersion = info.GitVersion
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("couldn't fetch cluster version from the API Server: %w", err)
	}
	for _, c := range []struct {
		name string
		dst  *Versions
	}{{KubeAPIServer, &s.APIServer}, {KubeControllerManager, &s.Controller}, {KubeScheduler, &s.Scheduler}, {Etcd, &s.Etcd}} {
		if *c.dst, err = componentVersions(ctx, client, p, c.name); err != nil {
			return nil, err
		}
	}
	var nodes *corev1.NodeList
	err = objects.Retry(ctx, p, func(ctx context.Context) error {
		nodes, err = client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("couldn't list all nodes in cluster: %w", err)
	}
	for _, n := range nodes.Items {
		v := n.Status.NodeInfo.KubeletVersion
		s.Kubelet[v] = append(s.Kubelet[v], n.Name)
	}
	sortNodes(s.Kubelet)
	if s.DNS, err = dnsVersion(ctx, client, p); err != nil {
		return nil, err
	}
	return s, nil
}

// listSystemPods lists the kube-system Pods selector selects, retried as p says.
func listSystemPods(ctx context.Context, client kube.Interface, p objects.Policy, selector string) (*corev1.PodList, error) {
	var pods *corev1.PodList
	err := objects.Retry(ctx, p, func(ctx context.Context) error {
		var err error
		pods, err = client.CoreV1().Pods(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{LabelSelector: selector})
		return err
	})
	return pods, err
}

// componentVersions maps the image tags of a control-plane component's mirror Pods to the
// nodes that run them.
func componentVersions(ctx context.Context, client kube.Interface, p objects.Policy, component string) (Versions, error) {
	pods, err := listSystemPods(ctx, client, p, "component="+component+",tier=control-plane")
	if err != nil {
		return nil, fmt.Errorf("couldn't list the %s Pods in %s: %w", component, metav1.NamespaceSystem, err)
	}
	out := Versions{}
	for _, pod := range pods.Items {
		if len(pod.Spec.Containers) == 0 {
			continue
		}
		tag := ImageVersion(pod.Spec.Containers[0].Image)
		out[tag] = append(out[tag], pod.Spec.NodeName)
	}
	sortNodes(out)
	return out, nil
}

func dnsVersion(ctx context.Context, client kube.Interface, p objects.Policy) (string, error) {
	var tag string
	err := objects.Retry(ctx, p, func(ctx context.Context) error {
		list, err := client.AppsV1().Deployments(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{LabelSelector: dnsSelector})
		if err != nil {
			return err
		}
		tag = ""
		for _, d := range list.Items {
			if cs := d.Spec.Template.Spec.Containers; len(cs) > 0 {
				tag = ImageVersion(cs[0].Image)
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("couldn't list the DNS Deployments in %s: %w", metav1.NamespaceSystem, err)
	}
	return tag, nil
}

// ImageVersion is the version an image's tag names: the tag with the "_" that stands for
// a "+" (build metadata, which a tag cannot hold) turned back.
func ImageVersion(image string) string {
	name := image[strings.LastIndex(image, "/")+1:]
	name, _, _ = strings.Cut(name, "@")
	_, tag, ok := strings.Cut(name, ":")
	if !ok {
		return ""
	}
	return strings.Replace(tag, "_", "+", 1)
}

func sortNodes(v Versions) {
	for _, nodes := range v {
		slices.Sort(nodes)
	}
}
