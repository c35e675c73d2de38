package preflight

import (
	"slices"
	"testing"
)

func TestPortOpen(t *testing.T) {
	t.Parallel()
	p := &ports{busy: []string{":6443", "10.0.0.1:2379"}}
	runCases(t, []checkCase{
		{name: "free", check: PortOpen{Port: 10250, Listen: p.listen}, wantName: "Port-10250"},
		{name: "busy", check: PortOpen{Port: 6443, Listen: p.listen}, wantName: "Port-6443", errs: []string{"Port 6443 is in use"}},
		{name: "busy on an address", check: PortOpen{Port: 2379, Address: "10.0.0.1", Listen: p.listen}, wantName: "Port-2379", errs: []string{"Port 2379 is in use"}},
		{name: "free on another address", check: PortOpen{Port: 2379, Address: "10.0.0.2", Listen: p.listen}, wantName: "Port-2379"},
		{name: "IPv6 address", check: PortOpen{Port: 2380, Address: "fd00::1", Listen: p.listen}, wantName: "Port-2380"},
		{name: "label", check: PortOpen{Port: 1, Label: "Mine", Listen: p.listen}, wantName: "Mine"},
	})
	t.Cleanup(func() {
		if !slices.Contains(p.bound, "tcp [fd00::1]:2380") {
			t.Errorf("bound %q, want an IPv6 address in brackets", p.bound)
		}
	})
}
