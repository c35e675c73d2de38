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
