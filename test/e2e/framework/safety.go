package framework

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// machineSettings are the machine-wide values a host could change, as files:
// the kubelet's kernel tunables (masked in every host), what kube-proxy may set
// for conntrack (nf_conntrack_max is global, hashsize a module parameter), the
// settings of the machine's own network namespace the lab could touch
// (forwarding, bridge netfilter, route_localnet), and the inotify limits every
// host's daemons share.
var machineSettings = []string{
	"/proc/sys/vm/overcommit_memory",
	"/proc/sys/vm/panic_on_oom",
	"/proc/sys/kernel/panic",
	"/proc/sys/kernel/panic_on_oops",
	"/proc/sys/kernel/keys/root_maxkeys",
	"/proc/sys/kernel/keys/root_maxbytes",
	"/proc/sys/net/netfilter/nf_conntrack_max",
	"/sys/module/nf_conntrack/parameters/hashsize",
	"/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established",
	"/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_close_wait",
	"/proc/sys/net/ipv4/ip_forward",
	"/proc/sys/net/ipv4/conf/all/forwarding",
	"/proc/sys/net/ipv4/conf/all/route_localnet",
	"/proc/sys/net/bridge/bridge-nf-call-iptables",
	"/proc/sys/net/bridge/bridge-nf-call-ip6tables",
	"/proc/sys/fs/inotify/max_user_instances",
	"/proc/sys/fs/inotify/max_user_watches",
}

// MachineSnapshot is the values of machineSettings at one moment; a file the
// machine lacks is recorded as missing.
type MachineSnapshot map[string]string

// SnapshotMachine reads machineSettings from the test machine.
func SnapshotMachine() MachineSnapshot {
	s := MachineSnapshot{}
	for _, p := range machineSettings {
		b, err := os.ReadFile(p)
		if err != nil {
			s[p] = "(missing)"
			continue
		}
		s[p] = strings.TrimSpace(string(b))
	}
	return s
}

// Changed lists every setting whose value differs in now.
func (s MachineSnapshot) Changed(now MachineSnapshot) []string {
	var out []string
	for _, p := range machineSettings {
		if s[p] != now[p] {
			out = append(out, fmt.Sprintf("%s: %s before, %s now", p, s[p], now[p]))
		}
	}
	return out
}

// kubeProxyConntrack is what kube-proxy's default conntrack configuration (the
// one kadm and kubeadm deploy) asks of the machine: nf_conntrack_max at least
// max(maxPerCore × CPUs, min) and hashsize at least a quarter of it. Where the
// machine has less, kube-proxy writes both, and both are machine-wide.
const (
	kubeProxyMaxPerCore = 32768
	kubeProxyMin        = 131072
)

// CheckKubeProxyConntrack fails unless the machine already has the conntrack
// sizes kube-proxy's defaults want, so that no kube-proxy Pod of the lab
// changes them.
func CheckKubeProxyConntrack() error {
	want := max(kubeProxyMaxPerCore*runtime.NumCPU(), kubeProxyMin)
	for _, c := range []struct {
		file string
		min  int
	}{
		{"/proc/sys/net/netfilter/nf_conntrack_max", want},
		{"/sys/module/nf_conntrack/parameters/hashsize", want / 4},
	} {
		b, err := os.ReadFile(c.file)
		if err != nil {
			return fmt.Errorf("kube-proxy's conntrack settings: %w", err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return fmt.Errorf("%s: %w", c.file, err)
		}
		if n < c.min {
			return fmt.Errorf("%s is %d: kube-proxy's default configuration would raise this machine-wide value to %d; the e2e hosts refuse to run it", c.file, n, c.min)
		}
	}
	return nil
}

// MemoryMeter samples the machine's used memory (MemTotal - MemAvailable) and
// keeps the peak.
type MemoryMeter struct {
	mu        sync.Mutex
	base      int64
	peak      int64
	stop      chan struct{}
	stopped   chan struct{}
	stopOnce  sync.Once
	sampleErr error
}

// StartMemoryMeter starts sampling every interval.
func StartMemoryMeter(interval time.Duration) *MemoryMeter {
	m := &MemoryMeter{stop: make(chan struct{}), stopped: make(chan struct{})}
	m.base, m.sampleErr = usedMemory()
	m.peak = m.base
	go func() {
		defer close(m.stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
			used, err := usedMemory()
			m.mu.Lock()
			if err != nil {
				m.sampleErr = err
			} else if used > m.peak {
				m.peak = used
			}
			m.mu.Unlock()
		}
	}()
	return m
}

// Stop ends the sampling and returns the used memory at the start and its
// peak, in bytes.
func (m *MemoryMeter) Stop() (base, peak int64, err error) {
	m.stopOnce.Do(func() { close(m.stop) })
	<-m.stopped
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.base, m.peak, m.sampleErr
}

func usedMemory() (int64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	values := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && slices.Contains([]string{"MemTotal:", "MemAvailable:"}, f[0]) {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			values[f[0]] = n * 1024
		}
	}
	if len(values) != 2 {
		return 0, fmt.Errorf("/proc/meminfo lacks MemTotal or MemAvailable")
	}
	return values["MemTotal:"] - values["MemAvailable:"], nil
}
