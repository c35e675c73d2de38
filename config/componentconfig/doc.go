// Package componentconfig holds the kubelet's and kube-proxy's configuration types as they appear
// on the wire, without k8s.io/kubelet and k8s.io/kube-proxy and the metrics stack they pull in.
package componentconfig
