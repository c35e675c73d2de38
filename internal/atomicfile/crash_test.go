package atomicfile

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// crashEnv names the file the helper process writes when it is set.
const crashEnv = "KADM_ATOMICFILE_CRASH_TARGET"

// crashLimit is where the kernel stops the helper's write.
const crashLimit = 4096

// TestHelperCrashingWrite is not a test: run by TestWriteAfterACrash as a
// child process, it dies in the middle of a Write, killed by the kernel
// when the temporary file reaches the file size limit (SIGXFSZ, whose
// default action Go's runtime replaces and this helper restores).
func TestHelperCrashingWrite(t *testing.T) {
	target := os.Getenv(crashEnv)
	if target == "" {
		t.Skip("helper process for TestWriteAfterACrash")
	}
	restoreDefault(t, syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: crashLimit, Max: crashLimit}); err != nil {
		t.Fatal(err)
	}
	err := Write(target, bytes.Repeat([]byte("N"), 16*crashLimit), 0o600)
	t.Fatalf("Write returned %v instead of being killed", err)
}

// restoreDefault sets sig's action to SIG_DFL with rt_sigaction, which the
// syscall package does not wrap.
func restoreDefault(t *testing.T, sig syscall.Signal) {
	t.Helper()
	var act struct {
		handler, flags, restorer, mask uint64
	}
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0); errno != 0 {
		t.Fatalf("rt_sigaction: %v", errno)
	}
}

// A writer killed mid-write leaves the old file whole and a partial
// temporary file next to it; the next Write of the same file succeeds and
// removes that temporary file, which may hold half a key.
func TestWriteAfterACrash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "ca.key")
	if err := Write(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, ".ca.key.tmp-notours")
	if err := os.WriteFile(other, []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCrashingWrite$")
	cmd.Env = append(os.Environ(), crashEnv+"="+target)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGXFSZ {
		t.Fatalf("helper was not killed mid-write: %v\n%s", err, out)
	}

	if got, _ := os.ReadFile(target); string(got) != "old" {
		t.Fatalf("after the crash %s holds %q, want the old content", target, got)
	}
	temps := tempsOf(t, target)
	if len(temps) != 1 {
		t.Fatalf("after the crash: temporary files %v, want the one the crash left", temps)
	}
	if fi, err := os.Stat(temps[0]); err != nil || fi.Size() != crashLimit || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the crash left %v (%v), want a partial file of %d bytes readable by its owner only", fi, err, crashLimit)
	}

	if err := Write(target, []byte("new"), 0o600); err != nil {
		t.Fatalf("Write after the crash: %v", err)
	}
	if got, _ := os.ReadFile(target); string(got) != "new" {
		t.Errorf("%s holds %q, want \"new\"", target, got)
	}
	if temps := tempsOf(t, target); len(temps) != 0 {
		t.Errorf("temporary files left after the next write: %v", temps)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file that only looks like a temporary file was removed: %v", err)
	}
}

func tempsOf(t *testing.T, target string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range matches {
		if !strings.HasSuffix(m, "notours") {
			out = append(out, m)
		}
	}
	return out
}
