package joinphases

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/config"
)

func TestDone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*config.JoinConfiguration)
		want   string
	}{
		{name: "worker", want: workerDone},
		{name: "dry run", change: func(c *config.JoinConfiguration) { c.DryRun = true }, want: dryRunDone},
		{name: "control plane with stacked etcd", change: func(c *config.JoinConfiguration) { c.ControlPlane = &config.JoinControlPlane{} },
			want: fmt.Sprintf(controlPlaneDone, "* A new etcd member was added to the local/stacked etcd cluster.\n", "ETC/admin.conf")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeData(t, "127.0.0.1:1")
			if tt.change != nil {
				tt.change(d.cfg)
			}
			out, err := output(func(ctx context.Context) error { return Done(ctx, d) })
			if err != nil {
				t.Fatal(err)
			}
			out = strings.ReplaceAll(out, d.kubeconfigDir, "ETC")
			if out != tt.want {
				t.Errorf("Done printed %q, want %q", out, tt.want)
			}
		})
	}
}
