package main

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"time"
)

// reaper starts the init's processes and collects every child of PID 1: its own,
// and the orphans the host's daemons leave behind (reparented to PID 1), so none
// lingers as a zombie. It is the only caller of wait4 in the process: os/exec's
// Wait would race it.
type reaper struct {
	mu      sync.Mutex
	waiting map[int]chan syscall.WaitStatus
	wake    chan struct{}
}

// theReaper is the process's one reaper: a second caller of wait4(-1) would
// take the first's children, whose services would then never end.
var theReaper = sync.OnceValue(func() *reaper {
	r := &reaper{waiting: map[int]chan syscall.WaitStatus{}, wake: make(chan struct{}, 1)}
	go r.loop()
	return r
})

// start runs argv in its own process group with out as its standard output and
// error; the channel receives its exit status.
func (r *reaper) start(argv, env []string, dir string, out *os.File) (int, <-chan syscall.WaitStatus, error) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return 0, nil, err
	}
	defer devnull.Close()
	// Registration happens under the lock the reaper takes before it looks a pid
	// up, so a process that exits at once is still reported.
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := os.StartProcess(argv[0], argv, &os.ProcAttr{
		Dir: dir, Env: env, Files: []*os.File{devnull, out, out},
		Sys: &syscall.SysProcAttr{Setpgid: true},
	})
	if err != nil {
		return 0, nil, err
	}
	// Release forgets the pid, which the reaper, not os.Process, waits for.
	pid := p.Pid
	ch := make(chan syscall.WaitStatus, 1)
	r.waiting[pid] = ch
	_ = p.Release()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return pid, ch, nil
}

func (r *reaper) loop() {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		switch {
		case errors.Is(err, syscall.ECHILD):
			// No child yet: wait for one to be started, or for an orphan to be
			// reparented here.
			select {
			case <-r.wake:
			case <-time.After(time.Second):
			}
			continue
		case err != nil:
			continue
		}
		r.mu.Lock()
		ch := r.waiting[pid]
		delete(r.waiting, pid)
		r.mu.Unlock()
		if ch != nil {
			ch <- ws
		}
	}
}
