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
// once), in bytes. Its processes are those in its PID namespace.
func (h *Host) Memory() (int64, error) {
	ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", h.InitPID))
	if err != nil {
		return 0, fmt.Errorf("host %s: %w", h.Name, err)
	}
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return 0, err
	}
	var total int64
	for _, d := range dirs {
		if l, err := os.Readlink(filepath.Join(d, "ns", "pid")); err != nil || l != ns {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d, "smaps_rollup"))
		if err != nil {
			continue // the process ended meanwhile
		}
		total += pss(b)
	}
	return total, nil
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
