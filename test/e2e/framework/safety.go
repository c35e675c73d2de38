package framework

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
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

// machinePaths are where kadm, kubeadm, the kubelet, etcd and a package
// install write on a node: on the test machine itself, outside every host,
// none of them may appear or change during a run.
var machinePaths = []string{
	"/etc/kubernetes",
	"/var/lib/kubelet",
	"/var/lib/etcd",
	"/etc/cni/net.d",
	"/etc/default/kubelet",
	"/usr/lib/systemd/system/kubelet.service",
	"/usr/lib/systemd/system/kubelet.service.d",
	"/usr/bin/kadm",
	"/usr/bin/kubeadm",
	"/usr/bin/kubelet",
	"/var/lib/dpkg/status",
}

// MachineSnapshot is the values of machineSettings and a digest of each of
// machinePaths at one moment; a file the machine lacks is recorded as
// missing.
type MachineSnapshot map[string]string

// SnapshotMachine reads machineSettings and machinePaths on the test machine.
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
	for _, p := range machinePaths {
		s[p] = treeDigest(p)
	}
	return s
}

// treeDigest sums the names, modes, sizes and modification times under path:
// any file made, removed or written there changes it.
func treeDigest(path string) string {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return "(missing)"
	}
	h := sha256.New()
	n := 0
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n++
		fmt.Fprintf(h, "%s %v %d %d\n", p, fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	return fmt.Sprintf("%d entries, sha256 %x", n, h.Sum(nil)[:8])
}

// Changed lists every setting or path whose value differs in now.
func (s MachineSnapshot) Changed(now MachineSnapshot) []string {
	var out []string
	for _, p := range slices.Sorted(maps.Keys(s)) {
		if s[p] != now[p] {
			out = append(out, fmt.Sprintf("%s: %s before, %s now", p, s[p], now[p]))
		}
	}
	return out
}

// KeyFiles lists the files under the machine's temporary directory that
// hold a PEM private key, leaving out the lab's own directory (the hosts'
// file systems) and the directories go test makes for its tests and builds,
// which their processes remove. The suite compares the list before and
// after a run: a key left in the machine's /tmp is a key outside its place,
// as a dry run's copy of the cluster CA once was.
func KeyFiles(lab *Lab) []string {
	tmp := os.TempDir()
	own := filepath.Join(tmp, lab.Name)
	var keys []string
	_ = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			base := d.Name()
			if p == own || (p != tmp && (strings.HasPrefix(base, "go-build") || strings.HasPrefix(base, "Test") || strings.HasPrefix(base, "Fuzz"))) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if fi, err := d.Info(); err != nil || fi.Size() > 1<<20 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte("PRIVATE KEY-----")) {
			keys = append(keys, p)
		}
		return nil
	})
	return keys
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
