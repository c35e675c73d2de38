package progress

import (
	"context"
	"testing"
)

func TestPrintf(t *testing.T) {
	t.Parallel()
	Printf(context.Background(), "dropped %d\n", 1)
	var got []string
	ctx := WithSink(context.Background(), func(m string) { got = append(got, m) })
	Printf(ctx, "[phase] Doing %s\n", "it")
	inner := WithSink(ctx, func(m string) { got = append(got, "inner: "+m) })
	Printf(inner, "[phase] Done\n")
	want := []string{"[phase] Doing it\n", "inner: [phase] Done\n"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("sink got %q, want %q", got, want)
	}
}
