// Package framework creates the simulated hosts kadm's end-to-end tests and
// sandbox run on, and the helpers to build, enter, wait on and tear them down.
//
// A host is a network namespace behind the lab's router on 10.x addresses, with
// its own mount, UTS and PID namespaces: overlays over the machine's /etc, /var,
// /usr, /opt and /root, a tmpfs /run, its own cgroup, its own host name, and a
// PID 1 (test/e2e/hostinit) that plays systemd for its containerd and its real
// kubelet and whose death ends every process of the host. kadm runs inside
// with its real default paths. Creating hosts needs root.
package framework
