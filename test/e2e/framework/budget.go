package framework

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The inotify instances a node's daemons hold, measured on a running lab: a
// control-plane node's kubelet, kube-apiserver, kube-controller-manager,
// kube-proxy and containerd about 22, a worker's kubelet, kube-proxy and
// containerd about 8, and kadm join one more while it waits for the TLS
// bootstrap. Every host's processes run as the machine's root, and
// fs.inotify.max_user_instances (128 here, not the suite's to raise) caps them
// all together: past it, containerd's CRI and the kubelets fail to start.
const (
	ControlPlaneInotify = 24
	WorkerInotify       = 9
)

// inotifyHeadroom is left for the test process and the machine's own daemons.
const inotifyHeadroom = 8

// Budget shares the machine's inotify instances among tests that run at once: a
// test reserves what its nodes hold at their peak before it creates any, and
// gives it back when it ends, so parallel tests never run the machine out.
type Budget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	total int
	free  int
}

// NewInotifyBudget sizes the budget from the machine's limit for root less what
// root's processes hold already.
func NewInotifyBudget() (*Budget, error) {
	b, err := os.ReadFile("/proc/sys/fs/inotify/max_user_instances")
	if err != nil {
		return nil, err
	}
	limit, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, err
	}
	total := limit - inotifyInstancesInUse() - inotifyHeadroom
	if total < ControlPlaneInotify {
		return nil, fmt.Errorf("fs.inotify.max_user_instances is %d and root's processes hold %d: too few left for one control-plane node (%d)",
			limit, inotifyInstancesInUse(), ControlPlaneInotify)
	}
	bud := &Budget{total: total, free: total}
	bud.cond = sync.NewCond(&bud.mu)
	return bud, nil
}

// inotifyInstancesInUse counts the inotify instances open on the machine.
func inotifyInstancesInUse() int {
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && target == "anon_inode:inotify" {
			n++
		}
	}
	return n
}

// Reserve waits until the budget has room for controlPlanes control-plane
// nodes and workers workers (all of it, when they need more than there is) and
// returns it when t ends.
func (b *Budget) Reserve(t testing.TB, controlPlanes, workers int) {
	t.Helper()
	n := min(controlPlanes*ControlPlaneInotify+workers*WorkerInotify, b.total)
	b.mu.Lock()
	for b.free < n {
		b.cond.Wait()
	}
	b.free -= n
	b.mu.Unlock()
	t.Cleanup(func() {
		b.mu.Lock()
		b.free += n
		b.mu.Unlock()
		b.cond.Broadcast()
	})
}

// Workers is how many workers the whole budget holds beside controlPlanes
// control-plane nodes.
func (b *Budget) Workers(controlPlanes int) int {
	return max(0, (b.total-controlPlanes*ControlPlaneInotify)/WorkerInotify)
}
