package cleanup

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, parent string
		ok                 bool
	}{
		{"default certificates dir", "/etc/kubernetes/pki", "/etc/kubernetes", true},
		{"nested", "/var/lib/etcd/data", "/var/lib", true},
		{"default etcd data dir", "/var/lib/etcd", "/var/lib", true},
		{"empty", "", "/etc/kubernetes", false},
		{"relative", "etc/kubernetes/pki", "/etc/kubernetes", false},
		{"not clean", "/etc/kubernetes/../pki", "/etc/kubernetes", false},
		{"trailing slash", "/etc/kubernetes/pki/", "/etc/kubernetes", false},
		{"root", "/", "/", false},
		{"top-level dir", "/etc", "/", false},
		{"lib dir", "/lib64", "/", false},
		{"the parent itself", "/etc/kubernetes", "/etc/kubernetes", false},
		{"var lib itself", "/var/lib", "/var", false},
		{"escapes the parent", "/etc/kubernetes/../../root/pki", "/etc/kubernetes", false},
		{"outside the parent", "/srv/pki", "/etc/kubernetes", false},
		{"sibling with the parent's prefix", "/etc/kubernetes-old/pki", "/etc/kubernetes", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Check(tt.path, tt.parent)
			if tt.ok != (err == nil) {
				t.Fatalf("Check(%q, %q) = %v, want ok=%v", tt.path, tt.parent, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrNotOwned) {
				t.Errorf("error %v does not match ErrNotOwned", err)
			}
		})
	}
}
