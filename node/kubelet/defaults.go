package kubelet

import (
	"fmt"
	"path/filepath"
	"slices"

	"k8s.io/utils/ptr"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/config/componentconfig"
)

// authorizationModeWebhook has the kubelet ask the API server whether each
// request to its own API is allowed, rather than allow every authenticated one.
const authorizationModeWebhook = "Webhook"

// setDefaults fills what kubeadm v1.37 sets in every KubeletConfiguration it
// generates, and returns a warning for each value the user chose differently:
// static Pods, DNS, client CA, webhook authentication and authorization, and a
// local /healthz are what kubeadm's own steps and the cluster rely on.
func setDefaults(kc *componentconfig.KubeletConfiguration, cluster *config.ClusterConfiguration) []string {
	var w warnings
	if kc.FeatureGates == nil {
		kc.FeatureGates = map[string]bool{}
	}

	w.str("staticPodPath", &kc.StaticPodPath, config.DefaultManifestsDir)

	dns := []string{config.ClusterDNSIP(cluster.Networking.ServiceSubnet)}
	if kc.ClusterDNS == nil {
		kc.ClusterDNS = dns
	} else if !slices.Equal(kc.ClusterDNS, dns) {
		w.add("clusterDNS", dns, kc.ClusterDNS)
	}

	if kc.ClusterDomain == "" {
		kc.ClusterDomain = cluster.Networking.DNSDomain
	} else if cluster.Networking.DNSDomain != "" && kc.ClusterDomain != cluster.Networking.DNSDomain {
		w.add("clusterDomain", cluster.Networking.DNSDomain, kc.ClusterDomain)
	}

	w.str("authentication.x509.clientCAFile", &kc.Authentication.X509.ClientCAFile, filepath.Join(cluster.CertificatesDir, "ca.crt"))
	w.boolean("authentication.anonymous.enabled", &kc.Authentication.Anonymous.Enabled, false)
	w.str("authorization.mode", &kc.Authorization.Mode, authorizationModeWebhook)
	w.boolean("authentication.webhook.enabled", &kc.Authentication.Webhook.Enabled, true)
	w.str("healthzBindAddress", &kc.HealthzBindAddress, HealthzBindAddress)

	if kc.HealthzPort == nil {
		kc.HealthzPort = ptr.To[int32](HealthzPort)
	} else if *kc.HealthzPort != HealthzPort {
		w.add("healthzPort", HealthzPort, *kc.HealthzPort)
	}

	// The read-only port is off unless the user opens it, and kubeadm says so.
	if kc.ReadOnlyPort != 0 {
		w.add("readOnlyPort", 0, kc.ReadOnlyPort)
	}

	// The field is not a pointer, so "false" cannot be told from unset:
	// kubeadm forces rotation on, since kubelet-finalize depends on it.
	kc.RotateCertificates = true

	if kc.CgroupDriver == "" {
		kc.CgroupDriver = CgroupDriverSystemd
	}
	return w
}

// warnings collects kubeadm's "recommended value" messages.
type warnings []string

func (w *warnings) add(field string, recommended, provided any) {
	*w = append(*w, fmt.Sprintf("The recommended value for %q in %q is: %v; the provided value is: %v",
		field, config.KindKubeletConfiguration, recommended, provided))
}

func (w *warnings) str(field string, v *string, def string) {
	switch *v {
	case "":
		*v = def
	case def:
	default:
		w.add(field, def, *v)
	}
}

func (w *warnings) boolean(field string, v **bool, def bool) {
	if *v == nil {
		*v = ptr.To(def)
	} else if **v != def {
		w.add(field, def, **v)
	}
}
