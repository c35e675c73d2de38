// Package framework creates the simulated hosts kadm's end-to-end tests and
// sandbox run on, and the helpers to build, enter, wait on and tear them down.
//
// A host is a network namespace reached over a veth pair on 10.x addresses,
// with its own mount, UTS and PID namespaces: private /etc/kubernetes,
// /var/lib/kubelet, /var/lib/etcd and /run, its own host name, and a PID 1
// whose death ends every process of the host. kadm runs inside with its real
// default paths; the kubelet stand-in (test/e2e/kubeletstandin) plays the
// kubelet and systemctl. Creating hosts needs root.
package framework
