// Command hostinit is PID 1 and the init system of a simulated host of kadm's e2e suite.
//
// As "hostinit init" the harness starts it in the host's fresh mount, UTS and PID namespaces:
// it gives the host its own file system (overlays over the machine's /etc, /var, /usr, /opt
// and /root, a tmpfs /run, the node's state directories bound to directories of the host),
// masks the machine-wide sysctls the kubelet would rewrite, then plays systemd for the
// services it is told to manage: it reads their unit files and drop-ins from the standard
// directories, starts the enabled ones, restarts them as their Restart= says, and answers
// the systemctl commands kadm and kubeadm send. Before it starts any service it checks that
// the host's isolation is in place, and refuses otherwise. Killing it ends the host.
//
// As "systemctl" (its name on the host's PATH) it sends its command line to the running init
// over a unix socket in the host's /run and prints the answer.
package main
