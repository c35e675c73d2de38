package config

import "testing"

func TestParseKubernetesVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" for an error
	}{
		{"v1.37.2", "1.37.2"},
		{"1.36.0", "1.36.0"},
		{"v1.37.0-rc.1", "1.37.0-rc.1"},
		{"v1.37", ""},
		{"stable-1", ""},
		{"ci/latest", ""},
		{"v01.37.0", ""},
		{"", ""},
	}
	for _, tt := range tests {
		v, err := ParseKubernetesVersion(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseKubernetesVersion(%q) = %v, want an error", tt.in, v)
		case tt.want != "" && (err != nil || v.String() != tt.want):
			t.Errorf("ParseKubernetesVersion(%q) = %v, %v; want %s", tt.in, v, err, tt.want)
		}
	}
	if !newerThanSupported("v1.38.0-alpha.0") || newerThanSupported(DefaultKubernetesVersion) {
		t.Errorf("newerThanSupported misplaces the v1.38 boundary")
	}
}

// TestResolveKubernetesVersion: kubeadm's labels resolve offline to kadm's
// own version, as kubeadm falls back when it cannot fetch them; anything
// else that is no version is an error.
func TestResolveKubernetesVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" for an error
	}{
		{"1.36.3", "v1.36.3"},
		{"v1.37.0-rc.1", "v1.37.0-rc.1"},
		{"stable-1", DefaultKubernetesVersion},
		{"stable", DefaultKubernetesVersion},
		{"latest", DefaultKubernetesVersion},
		{"stable-1.36", DefaultKubernetesVersion},
		{"release/stable-1", DefaultKubernetesVersion},
		{"ci/latest", DefaultKubernetesVersion},
		{"stable-0", ""},
		{"stable-1.3.7", ""},
		{"bogus", ""},
		{"ci/bogus", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := ResolveKubernetesVersion(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ResolveKubernetesVersion(%q) = %q, want an error", tt.in, got)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("ResolveKubernetesVersion(%q) = %q, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}
