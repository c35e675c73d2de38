package config

import (
	"strings"
	"testing"
)

func TestDetectCRISocket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		present []string
		want    string
		// errHas lists what the error must mention.
		errHas []string
	}{
		{name: "containerd", present: []string{"/var/run/containerd/containerd.sock"}, want: CRISocketContainerd},
		{name: "cri-o", present: []string{"/var/run/crio/crio.sock"}, want: CRISocketCRIO},
		{name: "cri-dockerd", present: []string{"/var/run/cri-dockerd.sock"}, want: CRISocketDocker},
		{name: "unrelated files", present: []string{"/var/run/docker.sock"}, errHas: []string{
			"/var/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/var/run/cri-dockerd.sock", "--cri-socket",
		}},
		{name: "none", errHas: []string{"no container runtime", "--cri-socket"}},
		{name: "several", present: []string{"/var/run/containerd/containerd.sock", "/var/run/crio/crio.sock"}, errHas: []string{
			CRISocketContainerd, CRISocketCRIO, "--cri-socket",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			exists := func(path string) bool {
				for _, p := range tt.present {
					if p == path {
						return true
					}
				}
				return false
			}
			got, err := DetectCRISocket(exists)
			if tt.errHas == nil {
				if err != nil || got != tt.want {
					t.Errorf("DetectCRISocket = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("DetectCRISocket = %q, want an error", got)
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}
