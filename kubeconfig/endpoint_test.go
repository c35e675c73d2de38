package kubeconfig

import (
	"testing"

	"github.com/kadm-project/kadm/config"
)

func TestControlPlaneURL(t *testing.T) {
	t.Parallel()
	local := config.APIEndpoint{AdvertiseAddress: "10.0.0.5", BindPort: 6443}
	tests := []struct {
		name     string
		endpoint string
		local    config.APIEndpoint
		want     string
		wantErr  bool
	}{
		{name: "no endpoint falls back to the local API server", local: local, want: "https://10.0.0.5:6443"},
		{name: "DNS name without port gets the bind port", endpoint: "lb.example.com", local: local, want: "https://lb.example.com:6443"},
		{name: "explicit port wins over the bind port", endpoint: "lb.example.com:8443", local: local, want: "https://lb.example.com:8443"},
		{name: "IPv4 without port", endpoint: "192.168.1.10", local: config.APIEndpoint{AdvertiseAddress: "10.0.0.5", BindPort: 7443}, want: "https://192.168.1.10:7443"},
		{name: "bare IPv6 gets brackets and the bind port", endpoint: "fd00::10", local: local, want: "https://[fd00::10]:6443"},
		{name: "bracketed IPv6 with port", endpoint: "[fd00::10]:9443", local: local, want: "https://[fd00::10]:9443"},
		{name: "local IPv6 advertise address", local: config.APIEndpoint{AdvertiseAddress: "fd00:0::5", BindPort: 6443}, want: "https://[fd00::5]:6443"},
		{name: "invalid host", endpoint: "not_a_host", local: local, wantErr: true},
		{name: "port out of range", endpoint: "lb.example.com:70000", local: local, wantErr: true},
		{name: "bind port zero", endpoint: "lb.example.com", local: config.APIEndpoint{AdvertiseAddress: "10.0.0.5"}, wantErr: true},
		{name: "no advertise address", local: config.APIEndpoint{BindPort: 6443}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ControlPlaneURL(tt.endpoint, tt.local)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ControlPlaneURL(%q) error = %v, want error %v", tt.endpoint, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ControlPlaneURL(%q) = %q, want %q", tt.endpoint, got, tt.want)
			}
		})
	}
}
