package app

import (
	"bytes"
	"context"
	"testing"

	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/internal/httplog"
)

// TestVerbosityCapsLibraries: -v=10 reaches kadm's own request log, while
// klog, and so client-go's dumps of request and response bodies, stays at
// httplog.LibraryMax, also for the files --vmodule names (this one among
// them, so that klog's own check of this file is what is tested).
func TestVerbosityCapsLibraries(t *testing.T) {
	var out bytes.Buffer
	argv := []string{"kadm", "version", "-o", "short", "-v=10", "--vmodule=request=10,root_test=9"}
	if err := Run(context.Background(), argv, IOStreams{Out: &out, ErrOut: &out}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = httplog.SetVerbosity(0)
		_, _ = httplog.SetVModule("")
	}()
	if got := httplog.Verbosity(); got != 10 {
		t.Errorf("kadm's verbosity is %d, want 10", got)
	}
	if klog.V(httplog.LibraryMax + 1).Enabled() {
		t.Errorf("klog logs at level %d in a file --vmodule names: client-go would dump bodies", httplog.LibraryMax+1)
	}
	if !klog.V(httplog.LibraryMax).Enabled() {
		t.Errorf("klog does not log at level %d: kadm's own debug lines are lost", httplog.LibraryMax)
	}
	root := newRootCmd("kadm", IOStreams{Out: &out, ErrOut: &out})
	if f := root.PersistentFlags().Lookup("vmodule"); f == nil || f.Value.Type() != "moduleSpec" {
		t.Errorf("--vmodule is not kubeadm's flag: %+v", f)
	}
}
