package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// procID names one process for its whole life: a PID alone may be reused,
// the PID with its start time (in clock ticks since boot) may not.
type procID struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
}

// procStat reads a process's start time and state from /proc/PID/stat.
func procStat(pid int) (start uint64, state byte, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name may hold spaces and parentheses: fields start after
	// the last ')'. There, field 0 is the state and field 19 the start time.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	fields := bytes.Fields(b[i+1:])
	if len(fields) < 20 {
		return 0, 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	start, err = strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("malformed /proc/%d/stat: %w", pid, err)
	}
	return start, fields[0][0], nil
}

// identify returns the procID of a running process.
func identify(pid int) (procID, error) {
	start, _, err := procStat(pid)
	if err != nil {
		return procID{}, err
	}
	return procID{PID: pid, Start: start}, nil
}

// alive is true while the process runs; a zombie has finished.
func (p procID) alive() bool {
	if p.PID <= 0 {
		return false
	}
	start, state, err := procStat(p.PID)
	return err == nil && start == p.Start && state != 'Z' && state != 'X'
}

// signal sends sig to the process's group (every process the stand-in starts
// leads its own session) and to the process itself.
func (p procID) signal(sig syscall.Signal) {
	if !p.alive() {
		return
	}
	_ = syscall.Kill(-p.PID, sig)
	_ = syscall.Kill(p.PID, sig)
}

// stopAll asks the processes to terminate, waits up to grace, then kills what is
// left and waits for it to go.
func stopAll(procs []procID, grace time.Duration) error {
	for _, p := range procs {
		p.signal(syscall.SIGTERM)
	}
	if waitGone(procs, grace) {
		return nil
	}
	for _, p := range procs {
		p.signal(syscall.SIGKILL)
	}
	if waitGone(procs, 5*time.Second) {
		return nil
	}
	return errors.New("processes survived SIGKILL")
}

func waitGone(procs []procID, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		gone := true
		for _, p := range procs {
			if p.alive() {
				gone = false
				break
			}
		}
		if gone {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sleepCtx waits for d or until ctx ends; it reports whether ctx is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
