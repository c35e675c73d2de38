package main

import (
	"os"
	"os/exec"
	"testing"
)

func TestProcID(t *testing.T) {
	t.Parallel()
	self, err := identify(os.Getpid())
	if err != nil || !self.alive() {
		t.Fatalf("this process: %v, alive %t", err, self.alive())
	}
	if (procID{PID: self.PID, Start: self.Start + 1}).alive() {
		t.Error("a different start time is taken for the same process")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start true(1):", err)
	}
	p, err := identify(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if p.alive() {
		t.Error("a finished process is alive")
	}
}
