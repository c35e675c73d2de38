package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder stands in for the *testing.T that check reports to, so a failing
// comparison can be observed instead of failing this test.
type recorder struct {
	testing.TB
	failures []string
	fatal    bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// Fatalf stops the calling goroutine as the real one does.
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
	runtime.Goexit()
}

// runCheck calls check on its own goroutine so that Fatalf can end it.
func runCheck(path string, got []byte, rewrite bool) *recorder {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r, path, got, rewrite)
	}()
	<-done
	return r
}

func TestCheckCompares(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		golden    string // content of the golden file; "-" leaves it absent
		got       string
		wantFatal bool
		wantIn    []string // substrings of the single failure; none means success
	}{
		{name: "equal output passes", golden: "a\nb\n", got: "a\nb\n"},
		{
			name:   "changed line fails with a unified diff and the update command",
			golden: "a\nb\nc\n", got: "a\nx\nc\n",
			wantIn: []string{"output differs from", "@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n", "go test ./internal/golden -update"},
		},
		{
			name:   "a dropped final newline still fails",
			golden: "a\n", got: "a",
			wantIn: []string{"-a\n+a\n\\ No newline at end of file\n"},
		},
		{
			name:   "missing golden file is fatal and says how to create it",
			golden: "-", got: "a\n", wantFatal: true,
			wantIn: []string{"read golden file", "go test ./internal/golden -update` to create it"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "out.yaml")
			if tt.golden != "-" {
				if err := os.WriteFile(path, []byte(tt.golden), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := runCheck(path, []byte(tt.got), false)
			if r.fatal != tt.wantFatal {
				t.Errorf("fatal = %v, want %v", r.fatal, tt.wantFatal)
			}
			if len(tt.wantIn) == 0 {
				if len(r.failures) != 0 {
					t.Errorf("unexpected failures: %q", r.failures)
				}
				return
			}
			if len(r.failures) != 1 {
				t.Fatalf("%d failures, want 1: %q", len(r.failures), r.failures)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(r.failures[0], s) {
					t.Errorf("failure does not contain %q:\n%s", s, r.failures[0])
				}
			}
			after, err := os.ReadFile(path)
			if tt.golden == "-" && !os.IsNotExist(err) {
				t.Errorf("a comparison created the golden file (err %v)", err)
			}
			if tt.golden != "-" && string(after) != tt.golden {
				t.Errorf("a comparison changed the golden file to %q", after)
			}
		})
	}
}

func TestCheckUpdateRewrites(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		path  string // under a fresh temporary directory
		stale string // earlier content; "" leaves no file
	}{
		{name: "stale file is replaced", path: "out.yaml", stale: "old\n"},
		{name: "missing directories are created", path: filepath.Join("scenario", "nested", "out.yaml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), tt.path)
			if tt.stale != "" {
				if err := os.WriteFile(path, []byte(tt.stale), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if r := runCheck(path, []byte("new\n"), true); len(r.failures) != 0 {
				t.Fatalf("update failed: %q", r.failures)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "new\n" {
				t.Errorf("golden file holds %q, want %q", got, "new\n")
			}
			if r := runCheck(path, []byte("new\n"), false); len(r.failures) != 0 {
				t.Errorf("comparison after update failed: %q", r.failures)
			}
		})
	}
}

// numbered returns lines "1\n" to "n\n", with the lines listed in changed
