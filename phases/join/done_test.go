package joinphases

import (
	"context"
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
		{name: "control plane has its own message", change: func(c *config.JoinConfiguration) { c.ControlPlane = &config.JoinControlPlane{} }},
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
			if out != tt.want {
				t.Errorf("Done printed %q, want %q", out, tt.want)
			}
		})
	}
}
