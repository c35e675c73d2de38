package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// show prints the nodes or the kube-system Pods as `kubectl get -o wide` does.
func show(ctx context.Context, h *framework.Host, what string, w io.Writer) error {
	client, err := adminClient(h)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	if what == "nodes" {
		nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, "NAME\tSTATUS\tROLES\tAGE\tVERSION\tINTERNAL-IP\tEXTERNAL-IP\tOS-IMAGE\tKERNEL-VERSION\tCONTAINER-RUNTIME")
		for _, n := range nodes.Items {
			i := n.Status.NodeInfo
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, nodeStatus(n), nodeRoles(n), age(n.CreationTimestamp),
				i.KubeletVersion, address(n, corev1.NodeInternalIP), address(n, corev1.NodeExternalIP), i.OSImage, i.KernelVersion, i.ContainerRuntimeVersion)
		}
		return tw.Flush()
	}
	pods, err := client.CoreV1().Pods(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintln(tw, "NAME\tREADY\tSTATUS\tRESTARTS\tAGE\tIP\tNODE")
	for _, p := range pods.Items {
		ready, total := podReady(p)
		var restarts int32
		for _, c := range p.Status.ContainerStatuses {
			restarts += c.RestartCount
		}
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%d\t%s\t%s\t%s\n", p.Name, ready, total, podStatus(p), restarts, age(p.CreationTimestamp),
			orNone(p.Status.PodIP), orNone(p.Spec.NodeName))
	}
	return tw.Flush()
}

func age(t metav1.Time) string { return duration.HumanDuration(time.Since(t.Time)) }

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func address(n corev1.Node, kind corev1.NodeAddressType) string {
	for _, a := range n.Status.Addresses {
		if a.Type == kind {
			return a.Address
		}
	}
	return "<none>"
}

func nodeStatus(n corev1.Node) string {
	status := "Unknown"
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			status = "NotReady"
			if c.Status == corev1.ConditionTrue {
				status = "Ready"
			}
		}
	}
	if n.Spec.Unschedulable {
		status += ",SchedulingDisabled"
	}
	return status
}

func nodeRoles(n corev1.Node) string {
	var roles []string
	for k := range n.Labels {
		if role, ok := strings.CutPrefix(k, "node-role.kubernetes.io/"); ok && role != "" {
			roles = append(roles, role)
		}
	}
	if len(roles) == 0 {
		return "<none>"
	}
	sort.Strings(roles)
	return strings.Join(roles, ",")
}

// podReady counts the Pod's ready containers and all its containers.
func podReady(p corev1.Pod) (ready, total int) {
	for _, c := range p.Status.ContainerStatuses {
		if c.Ready {
			ready++
		}
	}
	return ready, len(p.Spec.Containers)
}

// podStatus is the STATUS column: a waiting container's reason, else the phase.
func podStatus(p corev1.Pod) string {
	for _, c := range p.Status.ContainerStatuses {
		if c.State.Waiting != nil && c.State.Waiting.Reason != "" {
			return c.State.Waiting.Reason
		}
	}
	return string(p.Status.Phase)
}
