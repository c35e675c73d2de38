package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
)

// runHostInit is PID 1 of a simulated host. The harness starts it in fresh
// mount, UTS and PID namespaces inside the host's network namespace; it
// bind-mounts the host's private directories, sets the host name and
// sysctls, reports readiness, then reaps orphans until it is killed. Killing
// it ends every process of the host: that is how a host is torn down.
func runHostInit(args []string) int {
	fs := pflag.NewFlagSet("hostinit", pflag.ContinueOnError)
	hostname := fs.String("hostname", "", "host name of the simulated host")
	binds := fs.StringArray("bind", nil, "SRC:DST to bind-mount (repeatable)")
	sysctls := fs.StringArray("sysctl", nil, "KEY=VALUE to set in the host's network namespace (repeatable)")
	listen := fs.StringArray("listen", nil, "unix socket to accept and close connections on, such as a container runtime's (repeatable)")
	ready := fs.String("ready-file", "", "file written once the host is set up")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := setUpHost(*hostname, *binds, *sysctls); err != nil {
		fmt.Fprintf(os.Stderr, "hostinit: %v\n", err)
		return 1
	}
	for _, path := range *listen {
		if err := acceptAndClose(path); err != nil {
			fmt.Fprintf(os.Stderr, "hostinit: %v\n", err)
			return 1
		}
	}
	if *ready != "" {
		tmp := *ready + ".tmp"
		if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "hostinit: %v\n", err)
			return 1
		}
		if err := os.Rename(tmp, *ready); err != nil {
			fmt.Fprintf(os.Stderr, "hostinit: %v\n", err)
			return 1
		}
	}
	reapForever()
	return 0
}

func setUpHost(hostname string, binds, sysctls []string) error {
	for _, b := range binds {
		src, dst, ok := strings.Cut(b, ":")
		if !ok || !filepath.IsAbs(src) || !filepath.IsAbs(dst) {
			return fmt.Errorf("--bind %q: want SRC:DST with absolute paths", b)
		}
		if err := syscall.Mount(src, dst, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
			return fmt.Errorf("bind-mount %s over %s: %w", src, dst, err)
		}
	}
	if hostname != "" {
		if err := syscall.Sethostname([]byte(hostname)); err != nil {
			return fmt.Errorf("set host name %q: %w", hostname, err)
		}
	}
	for _, s := range sysctls {
		key, value, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("--sysctl %q: want KEY=VALUE", s)
		}
		path := filepath.Join("/proc/sys", strings.ReplaceAll(key, ".", "/"))
		if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
			return fmt.Errorf("set sysctl %s: %w", key, err)
		}
	}
	return nil
}

// acceptAndClose listens on a unix socket and closes every connection: a
// container runtime that is "running" for a client that only connects, as
// kadm's CRI preflight check does. The stand-in kubelet runs the containers.
func acceptAndClose(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	return nil
}

// reapForever collects every orphan the host's daemons leave behind (the
// kubelet started by systemctl, static Pod processes outliving a kubelet
// restart) so none lingers as a zombie. SIGTERM or SIGINT ends the host.
func reapForever() {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGCHLD, syscall.SIGTERM, syscall.SIGINT)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			return
		}
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
