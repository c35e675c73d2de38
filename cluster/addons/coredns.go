package addons

import (
	"fmt"
	"regexp"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kadm-project/kadm/config"
)

// CoreDNSConfigMap holds the Corefile, which upgrades keep when a user edited it.
const CoreDNSConfigMap = coreDNSName

const (
	coreDNSName        = "coredns"
	coreDNSClusterRole = "system:coredns"
	// kubeDNS is the Service name and Pod label every Kubernetes DNS addon
	// has used since kube-dns, so clients and NetworkPolicies keep working.
	kubeDNS          = "kube-dns"
	corefileKey      = "Corefile"
	coreDNSReplicas  = 2
	coreDNSMetrics   = 9153
	dnsPort          = 53
	coreDNSConfigDir = "/etc/coredns"
)

// CoreDNS builds the CoreDNS addon for c: its ServiceAccount and RBAC, the
// Corefile for the cluster's DNS domain, the Deployment (patched by patch
// when set) and the kube-dns Service on the service subnet's tenth address.
func CoreDNS(c *config.ClusterConfiguration, patch PatchFunc) (*Addon, error) {
	deployment, err := patched(coreDNSDeployment(config.CoreDNSImage(c)), PatchTargetCoreDNSDeployment, patch)
	if err != nil {
		return nil, fmt.Errorf("patch the CoreDNS Deployment: %w", err)
	}
	a := &Addon{Name: "CoreDNS"}
	a.add(&corev1.ServiceAccount{
		TypeMeta:   typeMeta("v1", "ServiceAccount"),
		ObjectMeta: metav1.ObjectMeta{Name: coreDNSName, Namespace: Namespace},
	})
	a.add(coreDNSRole())
	a.add(&rbacv1.ClusterRoleBinding{
		TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "ClusterRoleBinding"),
		ObjectMeta: metav1.ObjectMeta{Name: coreDNSClusterRole},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: coreDNSClusterRole},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: coreDNSName, Namespace: Namespace}},
	})
	a.objects = append(a.objects, object{
		obj: &corev1.ConfigMap{
			TypeMeta:   typeMeta("v1", "ConfigMap"),
			ObjectMeta: metav1.ObjectMeta{Name: coreDNSName, Namespace: Namespace},
			Data:       map[string]string{corefileKey: Corefile(c.Networking.DNSDomain)},
		},
		keep: EditedCorefile,
	})
	a.add(deployment)
	a.add(kubeDNSService(config.ClusterDNSIP(c.Networking.ServiceSubnet)))
	return a, nil
}

// coreDNSRole lets CoreDNS watch what it answers for: Services and their
// endpoints, Pods (for pod records) and namespaces.
func coreDNSRole() *rbacv1.ClusterRole {
	watch := []string{"list", "watch"}
	return &rbacv1.ClusterRole{
		TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "ClusterRole"),
		ObjectMeta: metav1.ObjectMeta{Name: coreDNSClusterRole},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"endpoints", "services", "pods", "namespaces"}, Verbs: watch},
			{APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}, Verbs: watch},
		},
	}
}

func kubeDNSService(clusterIP string) *corev1.Service {
	port := func(name string, proto corev1.Protocol, n int32) corev1.ServicePort {
		return corev1.ServicePort{Name: name, Protocol: proto, Port: n, TargetPort: intstr.FromInt32(n)}
	}
	return &corev1.Service{
		TypeMeta: typeMeta("v1", "Service"),
		ObjectMeta: metav1.ObjectMeta{
			Name:      kubeDNS,
			Namespace: Namespace,
			Labels: map[string]string{
				appLabel:                        kubeDNS,
				"kubernetes.io/cluster-service": "true",
				"kubernetes.io/name":            "CoreDNS",
			},
			Annotations: map[string]string{
				"prometheus.io/port":   fmt.Sprint(coreDNSMetrics),
				"prometheus.io/scrape": "true",
			},
		},
		Spec: corev1.ServiceSpec{
			ClusterIP: clusterIP,
			Ports: []corev1.ServicePort{
				port("dns", corev1.ProtocolUDP, dnsPort),
				port("dns-tcp", corev1.ProtocolTCP, dnsPort),
				port("metrics", corev1.ProtocolTCP, coreDNSMetrics),
			},
			Selector: map[string]string{appLabel: kubeDNS},
		},
	}
}

// Corefile is the CoreDNS configuration kubeadm v1.37 writes for a cluster
// whose Services live under domain. Answers for the cluster domain are not
// cached, so that a Service is resolvable as soon as it exists.
func Corefile(domain string) string {
	return fmt.Sprintf(`.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes %[1]s in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success %[1]s
       disable denial %[1]s
    }
    loop
    reload
    loadbalance
}
`, domain)
}

// corefileDomain finds the cluster domain in a generated Corefile.
var corefileDomain = regexp.MustCompile(`(?m)^    kubernetes (\S+) in-addr\.arpa ip6\.arpa \{$`)

// EditedCorefile reports whether a live coredns ConfigMap holds a Corefile
// someone wrote by hand. Such a Corefile is kept; one that kadm generated,
// for whatever domain, is replaced so that a changed dnsDomain takes effect.
func EditedCorefile(live runtime.Object) bool {
	cm, ok := live.(*corev1.ConfigMap)
	if !ok {
		return false
	}
	current, ok := cm.Data[corefileKey]
	if !ok {
		return false
	}
	m := corefileDomain.FindStringSubmatch(current)
	return m == nil || Corefile(m[1]) != current
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}
