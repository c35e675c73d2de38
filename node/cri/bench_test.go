package cri

import (
	"context"
	"net"
	"testing"
)

// BenchmarkConnectReady is what a preflight CRI check costs kadm: connect to
// a runtime on a local socket (one Version call), ask whether it is ready,
// and close.
func BenchmarkConnectReady(b *testing.B) {
	endpoint := (&fakeRuntime{}).start(b)
	var d net.Dialer
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, err := Connect(ctx, endpoint, d.DialContext)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Ready(ctx); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}
