package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// runInit is the host's PID 1: it sets the host's layout up, checks it, reports
// readiness, boots the enabled services and serves systemctl until it is killed.
func runInit(args []string) int {
	fs := pflag.NewFlagSet("init", pflag.ContinueOnError)
	l := &layout{}
	fs.StringVar(&l.hostname, "hostname", "", "host name of the simulated host")
	overlays := fs.StringArray("overlay", nil, "TARGET:UPPER:WORK, an overlay over a machine directory (repeatable)")
	fs.StringArrayVar(&l.tmpfs, "tmpfs", nil, "a directory the host gets as an empty tmpfs (repeatable)")
	binds := fs.StringArray("bind", nil, "SRC:DST, a host directory bound over a path (repeatable)")
	masks := fs.StringArray("mask", nil, "KEY=VALUE, a machine-wide sysctl covered by a file holding VALUE (repeatable)")
	sysctls := fs.StringArray("sysctl", nil, "KEY=VALUE, a sysctl of the host's network namespace (repeatable)")
	fs.StringVar(&l.stateDir, "state-dir", "", "the host's directory on the machine, for the mask files")
	machineNS := fs.Uint64("machine-mount-ns", 0, "inode of the machine's mount namespace, which the host must not share")
	units := fs.StringArray("unit", nil, "a service the host's init manages, such as kubelet.service (repeatable)")
	logDir := fs.String("log-dir", "/var/log/kadm-e2e", "where each service logs, inside the host")
	ready := fs.String("ready-file", "", "file written once the host is set up")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	l.machineMountNS = *machineNS
	if err := parseLayoutFlags(l, *overlays, *binds, *masks, *sysctls); err != nil {
		fmt.Fprintf(os.Stderr, "hostinit: %v\n", err)
		return 2
	}
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "hostinit: init must be PID 1 of a new PID namespace")
		return 1
	}
	if err := l.apply(); err != nil {
		fmt.Fprintf(os.Stderr, "hostinit: %v\n", err)
		return 1
	}
	if err := l.check(); err != nil {
		fmt.Fprintf(os.Stderr, "hostinit: the host is not isolated from the machine: %v\n", err)
		return 1
	}
	m := newManager("/", *logDir, *units, l.check)
	ln, err := listen()
	if err != nil {
		fmt.Fprintf(os.Stderr, "hostinit: %v\n", err)
		return 1
	}
	go m.serve(ln)
	m.boot()
	if *ready != "" {
		tmp := *ready + ".tmp"
		err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
		if err == nil {
			err = os.Rename(tmp, *ready)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "hostinit: %v\n", err)
			return 1
		}
	}
	select {}
}

func parseLayoutFlags(l *layout, overlays, binds, masks, sysctls []string) error {
	for _, o := range overlays {
		parts := strings.Split(o, ":")
		if len(parts) != 3 {
			return fmt.Errorf("--overlay %q: want TARGET:UPPER:WORK", o)
		}
		l.overlays = append(l.overlays, overlay{target: parts[0], upper: parts[1], work: parts[2]})
	}
	for _, b := range binds {
		src, dst, ok := strings.Cut(b, ":")
		if !ok {
			return fmt.Errorf("--bind %q: want SRC:DST", b)
		}
		l.binds = append(l.binds, bind{src: src, dst: dst})
	}
	for _, m := range masks {
		k, v, ok := strings.Cut(m, "=")
		if !ok {
			return fmt.Errorf("--mask %q: want KEY=VALUE", m)
		}
		l.masks = append(l.masks, mask{key: k, value: v})
	}
	for _, s := range sysctls {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("--sysctl %q: want KEY=VALUE", s)
		}
		l.sysctls = append(l.sysctls, keyValue{key: k, value: v})
	}
	for _, p := range append(append([]string{}, l.tmpfs...), l.stateDir) {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("%q is not an absolute path", p)
		}
	}
	return nil
}
