package etcdcluster

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/node/etcd"
)

// etcdPodSelector picks the mirror Pods of the stacked etcd static Pods.
const etcdPodSelector = "component=" + etcd.Name + ",tier=control-plane"

// Endpoints lists the client URLs the stacked etcd members publish on their
// Pods, sorted and without duplicates. Transient API errors are retried
// until ctx is done; a cluster without such a Pod is an error at once.
func Endpoints(ctx context.Context, client kube.Interface) ([]string, error) {
	var pods *corev1.PodList
	err := retry(ctx, "list the etcd Pods", func(ctx context.Context) error {
		var err error
		pods, err = client.CoreV1().Pods(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{LabelSelector: etcdPodSelector})
		if err != nil && !objects.IsTransient(err) {
			return permanent(err)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list the etcd Pods in %s: %w", metav1.NamespaceSystem, err)
	}
	if len(pods.Items) == 0 {
		return nil, fmt.Errorf("no Pod labelled %s in %s: the cluster does not run stacked etcd, or no control-plane node has started yet",
			etcdPodSelector, metav1.NamespaceSystem)
	}
	var endpoints []string
	for _, pod := range pods.Items {
		urls := pod.Annotations[etcd.AdvertiseClientURLsAnnotation]
		if urls == "" {
			klog.V(2).Infof("[etcd] Pod %s has no %s annotation; skipping it", pod.Name, etcd.AdvertiseClientURLsAnnotation)
			continue
		}
		for u := range strings.SplitSeq(urls, ",") {
			if u = strings.TrimSpace(u); u != "" {
				endpoints = append(endpoints, u)
			}
		}
	}
	if len(endpoints) == 0 {
		return nil, fmt.Errorf("none of the %d etcd Pods in %s has the %s annotation: it was made by a tool that does not publish etcd's client URLs",
			len(pods.Items), metav1.NamespaceSystem, etcd.AdvertiseClientURLsAnnotation)
	}
	slices.Sort(endpoints)
	return slices.Compact(endpoints), nil
}
