package framework

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory is the memory the host's processes use now: the sum of their
// proportional set sizes (Pss, so that pages two processes share count
// once), in bytes. Its processes are its init and every descendant: the
// containers too, which run in PID namespaces of their own under their
// shims.
func (h *Host) Memory() (int64, error) {
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return 0, err
	}
	children := map[int][]int{}
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if ppid := parentOf(d); ppid > 0 {
			children[ppid] = append(children[ppid], pid)
		}
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", h.InitPID)); err != nil {
		return 0, fmt.Errorf("host %s: %w", h.Name, err)
	}
	var total int64
	for queue := []int{h.InitPID}; len(queue) > 0; queue = queue[1:] {
		pid := queue[0]
		queue = append(queue, children[pid]...)
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid)); err == nil {
			total += pss(b)
		}
	}
	return total, nil
}

// parentOf reads the parent's PID from a /proc/<pid> directory's stat, 0 if
// the process has ended. The command name before it, in parentheses, may
// hold spaces.
func parentOf(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// pss reads the Pss line of a smaps_rollup, in bytes.
func pss(smaps []byte) int64 {
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "Pss:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// PeakMemory samples h.Memory every interval until stop is called, which
// returns the highest sample.
func (h *Host) PeakMemory(interval time.Duration) (stop func() (int64, error)) {
	var mu sync.Mutex
	var peak int64
	var lastErr error
	done, stopped := make(chan struct{}), make(chan struct{})
	sample := func() {
		m, err := h.Memory()
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			lastErr = err
		} else if m > peak {
			peak = m
		}
	}
	go func() {
		defer close(stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (int64, error) {
		close(done)
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		return peak, lastErr
	}
}
