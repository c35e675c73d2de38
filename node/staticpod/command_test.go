package staticpod

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/config"
)

func TestCommand(t *testing.T) {
	t.Parallel()
	defaults := []config.Arg{
		{Name: "secure-port", Value: "6443"},
		{Name: "authorization-mode", Value: "Node,RBAC"},
		{Name: "allow-privileged", Value: "true"},
	}
	tests := []struct {
		name  string
		extra []config.Arg
		want  []string
	}{
		{
			name: "defaults sorted by name",
			want: []string{"kube-apiserver", "--allow-privileged=true", "--authorization-mode=Node,RBAC", "--secure-port=6443"},
		},
		{
			name:  "an override replaces the default and goes last",
			extra: []config.Arg{{Name: "secure-port", Value: "8443"}},
			want:  []string{"kube-apiserver", "--allow-privileged=true", "--authorization-mode=Node,RBAC", "--secure-port=8443"},
		},
		{
			name: "extra flags keep their order and repetitions",
			extra: []config.Arg{
				{Name: "v", Value: "2"},
				{Name: "authorization-mode", Value: "Node"},
				{Name: "audit-log-path", Value: "/a"},
				{Name: "authorization-mode", Value: "Node,Webhook"},
			},
			want: []string{"kube-apiserver", "--allow-privileged=true", "--secure-port=6443",
				"--v=2", "--authorization-mode=Node", "--audit-log-path=/a", "--authorization-mode=Node,Webhook"},
		},
		{
			name:  "an empty value is kept",
			extra: []config.Arg{{Name: "allow-privileged", Value: ""}},
			want:  []string{"kube-apiserver", "--authorization-mode=Node,RBAC", "--secure-port=6443", "--allow-privileged="},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Command("kube-apiserver", defaults, tt.extra)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Command() (-want +got):\n%s", diff)
			}
		})
	}
	// The caller's defaults are not reordered in place.
	if defaults[0].Name != "secure-port" {
		t.Errorf("Command() sorted the caller's slice: %v", defaults)
	}
}

func TestArgValueAndSetArg(t *testing.T) {
	t.Parallel()
	args := []config.Arg{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}, {Name: "a", Value: "3"}}
	if v, ok := ArgValue(args, "a"); !ok || v != "3" {
		t.Errorf(`ArgValue(a) = %q, %v; want the last one, "3"`, v, ok)
	}
	if _, ok := ArgValue(args, "c"); ok {
		t.Error("ArgValue(c) found a missing flag")
	}
	args = SetArg(args, "a", "4")
	args = SetArg(args, "c", "5")
	want := []config.Arg{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}, {Name: "a", Value: "4"}, {Name: "c", Value: "5"}}
	if diff := cmp.Diff(want, args); diff != "" {
		t.Errorf("SetArg (-want +got):\n%s", diff)
	}
}
