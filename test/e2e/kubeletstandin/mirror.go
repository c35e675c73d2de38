package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// The annotations the kubelet puts on a static Pod and its mirror Pod;
// kubeadm reads mirror Pods (etcd endpoints, component health) through them.
const (
	annotationConfigHash   = "kubernetes.io/config.hash"
	annotationConfigMirror = "kubernetes.io/config.mirror"
	annotationConfigSeen   = "kubernetes.io/config.seen"
	annotationConfigSource = "kubernetes.io/config.source"
)

// mirrorSync keeps one mirror Pod in the API per static Pod, with a status
// that reflects the local processes.
type mirrorSync struct {
	client   kubernetes.Interface
	nodeName string
	hostIP   net.IP
	// posted holds, per mirror Pod, the fingerprint of the status last
	// posted, so an unchanged status is not posted again.
	posted map[types.UID]string
}

func mirrorName(podName, nodeName string) string { return podName + "-" + nodeName }

func (s *mirrorSync) sync(ctx context.Context, node *corev1.Node, pods []podView) error {
	list, err := s.client.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + s.nodeName})
	if err != nil {
		return fmt.Errorf("list the Pods of Node %s: %w", s.nodeName, err)
	}
	existing := map[string]*corev1.Pod{}
	for i := range list.Items {
		p := &list.Items[i]
		if _, ok := p.Annotations[annotationConfigMirror]; ok {
			existing[p.Namespace+"/"+p.Name] = p
		}
	}
	var errs []error
	wanted := map[string]bool{}
	for _, v := range pods {
		key := v.pod.Namespace + "/" + mirrorName(v.pod.Name, s.nodeName)
		wanted[key] = true
		cur, ok := existing[key]
		if ok && cur.Annotations[annotationConfigMirror] != v.hash {
			if err := s.remove(ctx, cur); err != nil {
				errs = append(errs, err)
				continue
			}
			ok = false
		}
		if !ok {
			created, err := s.client.CoreV1().Pods(v.pod.Namespace).Create(ctx, s.mirrorPod(v, node), metav1.CreateOptions{})
			if err != nil {
				errs = append(errs, fmt.Errorf("create mirror Pod %s: %w", key, err))
				continue
			}
			cur = created
		}
		if err := s.postStatus(ctx, cur, v); err != nil {
			errs = append(errs, err)
		}
	}
	for key, p := range existing {
		if !wanted[key] {
			if err := s.remove(ctx, p); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (s *mirrorSync) remove(ctx context.Context, p *corev1.Pod) error {
	grace := int64(0)
	err := s.client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{
		GracePeriodSeconds: &grace,
		Preconditions:      &metav1.Preconditions{UID: &p.UID},
	})
	delete(s.posted, p.UID)
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete mirror Pod %s/%s: %w", p.Namespace, p.Name, err)
	}
	return nil
}

func (s *mirrorSync) mirrorPod(v podView, node *corev1.Node) *corev1.Pod {
	annotations := maps.Clone(v.pod.Annotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[annotationConfigHash] = v.hash
	annotations[annotationConfigMirror] = v.hash
	annotations[annotationConfigSeen] = v.seen.Format(time.RFC3339Nano)
	annotations[annotationConfigSource] = "file"
	controller := true
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        mirrorName(v.pod.Name, s.nodeName),
			Namespace:   v.pod.Namespace,
			Labels:      maps.Clone(v.pod.Labels),
			Annotations: annotations,
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID, Controller: &controller,
			}},
		},
		Spec: *v.pod.Spec.DeepCopy(),
	}
	p.Spec.NodeName = s.nodeName
	// The kubelet lets static Pods tolerate every NoExecute taint, so the
	// taint manager never evicts them.
	p.Spec.Tolerations = append(p.Spec.Tolerations, corev1.Toleration{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute})
	return p
}

func (s *mirrorSync) postStatus(ctx context.Context, p *corev1.Pod, v podView) error {
	fp := fingerprint(v)
	if s.posted[p.UID] == fp {
		return nil
	}
	p = p.DeepCopy()
	p.Status = podStatus(p.Status, v, s.hostIP)
	if _, err := s.client.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("update the status of mirror Pod %s/%s: %w", p.Namespace, p.Name, err)
	}
	s.posted[p.UID] = fp
	return nil
}

func fingerprint(v podView) string {
	var b strings.Builder
	for _, c := range v.containers {
		fmt.Fprintf(&b, "%s:%t:%d:%d;", c.name, c.running, c.pid, c.restarts)
	}
	return b.String()
}

// podStatus derives a Pod status from the local processes; it keeps what
// the API server set (the QoS class) from old.
func podStatus(old corev1.PodStatus, v podView, hostIP net.IP) corev1.PodStatus {
	st := *old.DeepCopy()
	now := metav1.Now()
	ready, anyRunning := len(v.containers) > 0, false
	st.ContainerStatuses = nil
	for _, c := range v.containers {
		started := c.running
		cs := corev1.ContainerStatus{Name: c.name, Image: c.image, Ready: c.running, Started: &started, RestartCount: int32(c.restarts)}
		if c.running {
			anyRunning = true
			cs.ContainerID = "standin://" + strconv.Itoa(c.pid)
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(c.startedAt)}
		} else {
			ready = false
			reason := "ContainerCreating"
			if c.restarts > 0 {
				reason = "CrashLoopBackOff"
			}
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: reason, Message: c.lastErr}
		}
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
	}
	st.Phase = corev1.PodPending
	if anyRunning {
		st.Phase = corev1.PodRunning
	}
	ip := hostIP.String()
	st.HostIP, st.HostIPs = ip, []corev1.HostIP{{IP: ip}}
	st.PodIP, st.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	start := metav1.NewTime(v.seen)
	st.StartTime = &start
	conds := []corev1.PodCondition{
		{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionTrue},
		{Type: corev1.PodInitialized, Status: corev1.ConditionTrue},
		{Type: corev1.ContainersReady, Status: boolCondition(ready)},
		{Type: corev1.PodReady, Status: boolCondition(ready)},
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
	}
	for i := range conds {
		conds[i].LastTransitionTime = now
		for _, o := range old.Conditions {
			if o.Type == conds[i].Type && o.Status == conds[i].Status {
				conds[i].LastTransitionTime = o.LastTransitionTime
			}
		}
	}
	st.Conditions = conds
	return st
}

func boolCondition(b bool) corev1.ConditionStatus {
	if b {
		return corev1.ConditionTrue
	}
	return corev1.ConditionFalse
}
