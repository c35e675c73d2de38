package cleanup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

const mountTable = `proc /proc proc rw 0 0
/dev/sda1 /var/lib/kubelet ext4 rw 0 0
tmpfs /var/lib/kubelet/pods/abc/volumes/kubernetes.io~projected/kube-api-access tmpfs rw 0 0
tmpfs /var/lib/kubelet/pods/abc/volumes/with\040space tmpfs rw 0 0
tmpfs /var/lib/kubelet/pods tmpfs rw 0 0
tmpfs /var/lib/kubelet-other/x tmpfs rw 0 0
`

func TestMountPoints(t *testing.T) {
	t.Parallel()
	got := MountPoints([]byte(mountTable), "/var/lib/kubelet")
	want := []string{
		"/var/lib/kubelet/pods/abc/volumes/kubernetes.io~projected/kube-api-access",
		"/var/lib/kubelet/pods/abc/volumes/with space",
		"/var/lib/kubelet/pods",
	}
	if !slices.Equal(got, want) {
		t.Errorf("MountPoints = %q, want %q", got, want)
	}
}

func TestUnmount(t *testing.T) {
	t.Parallel()
	mounts := filepath.Join(t.TempDir(), "mounts")
	if err := os.WriteFile(mounts, []byte(mountTable), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		fail    map[string]error
		wantErr bool
	}{
		{"all unmounted", nil, false},
		{"EINVAL is gone already", map[string]error{"/var/lib/kubelet/pods": syscall.EINVAL}, false},
		{"busy", map[string]error{"/var/lib/kubelet/pods": syscall.EBUSY}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var done []string
			err := Unmount(mounts, "/var/lib/kubelet", func(p string) error {
				done = append(done, p)
				return tt.fail[p]
			})
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmount = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, syscall.EBUSY) {
				t.Errorf("error %v does not wrap the cause", err)
			}
			if len(done) != 3 {
				t.Errorf("unmounted %q, want all three mount points tried", done)
			}
		})
	}
	if err := Unmount(filepath.Join(t.TempDir(), "none"), "/var/lib/kubelet", SysUnmount); err == nil {
		t.Error("a missing mount table is not an error")
	}
}
