package objects

import (
	"bytes"
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The reconcile functions copy what kadm owns from want into live (a copy
// of the stored object) and say whether live must be written.

func reconcileSecret(live, want *corev1.Secret) outcome {
	if live.Type != want.Type {
		return recreate
	}
	changed := reconcileMeta(live, want)
	if !maps.EqualFunc(live.Data, want.Data, bytes.Equal) {
		// A Secret's keys are all kadm's: a rerun with other token usages
		// must drop the old ones, so the data is replaced, not merged.
		live.Data = want.Data
		changed = true
	}
	return result(changed)
}

func reconcileConfigMap(live, want *corev1.ConfigMap) outcome {
	changed := reconcileMeta(live, want)
	for k, v := range want.Data {
		if old, ok := live.Data[k]; !ok || old != v {
			if live.Data == nil {
				live.Data = map[string]string{}
			}
			live.Data[k] = v
			changed = true
		}
	}
	for k, v := range want.BinaryData {
		if old, ok := live.BinaryData[k]; !ok || !bytes.Equal(old, v) {
			if live.BinaryData == nil {
				live.BinaryData = map[string][]byte{}
			}
			live.BinaryData[k] = v
			changed = true
		}
	}
	return result(changed)
}

func reconcileServiceAccount(live, want *corev1.ServiceAccount) outcome {
	return result(reconcileMeta(live, want))
}

// reconcileService writes kadm's spec but carries over the addresses and
// families the API server filled in, which may not change once set; a
// different clusterIP is left for the API server to reject, as it cannot
// move.
func reconcileService(live, want *corev1.Service) outcome {
	reconcileMeta(live, want)
	spec := *want.Spec.DeepCopy()
	if spec.ClusterIP == live.Spec.ClusterIP {
		if len(spec.ClusterIPs) == 0 {
			spec.ClusterIPs = live.Spec.ClusterIPs
		}
		if len(spec.IPFamilies) == 0 {
			spec.IPFamilies = live.Spec.IPFamilies
		}
		if spec.IPFamilyPolicy == nil {
			spec.IPFamilyPolicy = live.Spec.IPFamilyPolicy
		}
	}
	live.Spec = spec
	return update
}

// reconcileDeployment writes kadm's spec but keeps the live scale: someone
// (or an autoscaler) may have scaled CoreDNS to the cluster's size.
func reconcileDeployment(live, want *appsv1.Deployment) outcome {
	reconcileMeta(live, want)
	replicas := live.Spec.Replicas
	live.Spec = *want.Spec.DeepCopy()
	if replicas != nil {
		live.Spec.Replicas = replicas
	}
	return update
}

func reconcileDaemonSet(live, want *appsv1.DaemonSet) outcome {
	reconcileMeta(live, want)
	live.Spec = *want.Spec.DeepCopy()
	return update
}

func reconcileRole(live, want *rbacv1.Role) outcome {
	return reconcileRules(live, want, &live.Rules, want.Rules)
}

func reconcileClusterRole(live, want *rbacv1.ClusterRole) outcome {
	return reconcileRules(live, want, &live.Rules, want.Rules)
}

func reconcileRoleBinding(live, want *rbacv1.RoleBinding) outcome {
	return reconcileSubjects(live, want, live.RoleRef != want.RoleRef, &live.Subjects, want.Subjects)
}

func reconcileClusterRoleBinding(live, want *rbacv1.ClusterRoleBinding) outcome {
	return reconcileSubjects(live, want, live.RoleRef != want.RoleRef, &live.Subjects, want.Subjects)
}

// reconcileRules brings a Role's or ClusterRole's metadata and rules to want's.
func reconcileRules(live, want metav1.Object, liveRules *[]rbacv1.PolicyRule, wantRules []rbacv1.PolicyRule) outcome {
	changed := reconcileMeta(live, want)
	if !equality.Semantic.DeepEqual(*liveRules, wantRules) {
		*liveRules = wantRules
		changed = true
	}
	return result(changed)
}

// reconcileSubjects brings a binding's metadata and subjects to want's; a
// binding to another role is recreated, as its roleRef cannot change.
func reconcileSubjects(live, want metav1.Object, otherRole bool, liveSubjects *[]rbacv1.Subject, wantSubjects []rbacv1.Subject) outcome {
	if otherRole {
		return recreate
	}
	changed := reconcileMeta(live, want)
	if !equality.Semantic.DeepEqual(*liveSubjects, wantSubjects) {
		*liveSubjects = wantSubjects
		changed = true
	}
	return result(changed)
}

// reconcileMeta adds want's labels and annotations to live's, keeping the
// others. Owner references are replaced when want has some: an object has
// at most one controller, and the kubeadm-certs Secret moves to the newest
// token on every upload.
func reconcileMeta(live, want metav1.Object) bool {
	changed := false
	if labels, ok := mergeStrings(live.GetLabels(), want.GetLabels()); ok {
		live.SetLabels(labels)
		changed = true
	}
	if annotations, ok := mergeStrings(live.GetAnnotations(), want.GetAnnotations()); ok {
		live.SetAnnotations(annotations)
		changed = true
	}
	if refs := want.GetOwnerReferences(); len(refs) > 0 && !equality.Semantic.DeepEqual(live.GetOwnerReferences(), refs) {
		live.SetOwnerReferences(refs)
		changed = true
	}
	return changed
}

func mergeStrings(live, want map[string]string) (map[string]string, bool) {
	changed := false
	for k, v := range want {
		if old, ok := live[k]; ok && old == v {
			continue
		}
		if !changed {
			live = maps.Clone(live)
			if live == nil {
				live = map[string]string{}
			}
			changed = true
		}
		live[k] = v
	}
	return live, changed
}

func result(changed bool) outcome {
	if changed {
		return update
	}
	return unchanged
}
