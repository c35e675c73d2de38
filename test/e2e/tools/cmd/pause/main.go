// Command pause is the sandbox (pause) image's program for kadm's e2e hosts: the first
// process of every Pod, which holds the Pod's namespaces. It waits for a signal and reaps
// the orphans of a Pod that shares its PID namespace. With -v it prints its version and
// exits, as the real pause does: kubeadm's pre-upgrade health-check Job runs it so.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && strings.EqualFold(os.Args[1], "-v") {
		fmt.Println("pause.go kadm-e2e")
		return
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
