package clusterhealth

import (
	"context"
	"fmt"
	"time"

	"github.com/kadm-project/kadm/cluster/kube"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
)

// ControlPlaneNodesReady fails when a control-plane Node is not Ready: upgrading one
// control plane while another is down can leave the cluster without a working one. Its
// name is kubeadm's, for --ignore-preflight-errors.
type ControlPlaneNodesReady struct {
	Client kube.Interface
	Policy objects.Policy
}

func (ControlPlaneNodesReady) Name() string { return "ControlPlaneNodesReady" }

func (c ControlPlaneNodesReady) Check(ctx context.Context) (warnings, errs []error) {
	var nodes *corev1.NodeList
	err := objects.Retry(ctx, c.Policy, func(ctx context.Context) error {
		var err error
		nodes, err = c.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: config.ControlPlaneTaintKey})
		return err
	})
	if err != nil {
		return nil, []error{fmt.Errorf("could not list nodes labeled with %q: %w", config.ControlPlaneTaintKey, err)}
	}
	var notReady []string
	for _, n := range nodes.Items {
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status != corev1.ConditionTrue {
				notReady = append(notReady, n.Name)
			}
		}
	}
	if len(notReady) > 0 {
		return nil, []error{fmt.Errorf("there are NotReady control-planes in the cluster: %v", notReady)}
	}
	return nil, nil
}

// The health-check Job: kubeadm's name prefix and time budget.
const (
	jobPrefix  = "upgrade-health-check"
	jobTimeout = 60 * time.Second
	jobMargin  = 5 * time.Second
	pollEvery  = 500 * time.Millisecond
)

// CreateJob runs a Job of the sandbox image to completion, which proves the API server
// stores objects, the controller manager makes the Pod, the scheduler places it and a
// kubelet runs it. A cluster with no schedulable Node skips it with a warning.
type CreateJob struct {
	Client kube.Interface
	Policy objects.Policy
	// Image is the sandbox image (config.PauseImage), present on every node.
	Image string
	// Now names the Job; time.Now when nil.
	Now func() time.Time
}

func (CreateJob) Name() string { return "CreateJob" }

func (c CreateJob) Check(ctx context.Context) (warnings, errs []error) {
	const ns = metav1.NamespaceSystem
	var nodes *corev1.NodeList
	err := objects.Retry(ctx, c.Policy, func(ctx context.Context) error {
		var err error
		nodes, err = c.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: 1, FieldSelector: "spec.unschedulable=false"})
		return err
	})
	if err != nil {
		return nil, []error{fmt.Errorf("could not check if there is at least one Node that can schedule a test Pod: %w", err)}
	}
	if len(nodes.Items) == 0 {
		return []error{fmt.Errorf("the preflight check %q was skipped because there are no schedulable Nodes in the cluster", c.Name())}, nil
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	job := c.job(fmt.Sprintf("%s-%d", jobPrefix, now().UTC().UnixMilli()))
	ctx, cancel := context.WithTimeout(ctx, jobTimeout)
	defer cancel()
	klog.V(2).Infof("Creating a Job %q in the namespace %q", job.Name, ns)
	err = objects.Retry(ctx, c.Policy, func(ctx context.Context) error {
		_, err := c.Client.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, []error{fmt.Errorf("could not create Job %q in the namespace %q: %w", job.Name, ns, err)}
	}
	last := fmt.Errorf("no condition of type %v", batchv1.JobComplete)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		j, err := c.Client.BatchV1().Jobs(ns).Get(ctx, job.Name, metav1.GetOptions{})
		switch {
		case err != nil:
			last = err
		case condition(j, batchv1.JobComplete):
			return nil, nil
		case condition(j, batchv1.JobFailed):
			return nil, []error{fmt.Errorf("Job %q in the namespace %q failed: its Pod did not run the image %s; see 'kubectl -n %s describe job %s'", job.Name, ns, c.Image, ns, job.Name)}
		}
		select {
		case <-ctx.Done():
			return nil, []error{fmt.Errorf("Job %q in the namespace %q did not complete in %v: %v", job.Name, ns, jobTimeout, last)}
		case <-tick.C:
		}
	}
}

func condition(j *batchv1.Job, t batchv1.JobConditionType) bool {
	for _, c := range j.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// job is kubeadm's health-check Job: one attempt, unprivileged, allowed on control-plane
// nodes, removed by the TTL controller once done.
func (c CreateJob) job(name string) *batchv1.Job {
	budget := int32((jobTimeout + jobMargin).Seconds())
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceSystem},
		Spec: batchv1.JobSpec{
			BackoffLimit:            ptr.To[int32](0),
			TTLSecondsAfterFinished: ptr.To(budget),
			ActiveDeadlineSeconds:   ptr.To(int64(budget)),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever,
				SecurityContext: &corev1.PodSecurityContext{
					RunAsUser: ptr.To[int64](999), RunAsGroup: ptr.To[int64](999), RunAsNonRoot: ptr.To(true),
				},
				Tolerations: []corev1.Toleration{{Key: config.ControlPlaneTaintKey, Effect: corev1.TaintEffectNoSchedule}},
				Containers:  []corev1.Container{{Name: jobPrefix, Image: c.Image, Args: []string{"-v"}}},
			}},
		},
	}
}
