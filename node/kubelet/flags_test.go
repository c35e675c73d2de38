package kubelet

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
)

func TestFlags(t *testing.T) {
	t.Parallel()
	taint := []corev1.Taint{{Key: "a", Value: "b", Effect: corev1.TaintEffectNoExecute}}
	tests := []struct {
		name           string
		nr             config.NodeRegistrationOptions
		hostname       string
		registerTaints bool
		want           []string
	}{
		{name: "node named after the host", nr: config.NodeRegistrationOptions{Name: "h1"}, hostname: "h1"},
		{name: "empty node name uses the host", hostname: "h1"},
		{name: "node name differs", nr: config.NodeRegistrationOptions{Name: "n1"}, hostname: "h1", want: []string{"--hostname-override=n1"}},
		{
			name:     "extra hostname-override replaces kadm's, in its own place",
			nr:       config.NodeRegistrationOptions{Name: "n1", KubeletExtraArgs: []config.Arg{{Name: "v", Value: "2"}, {Name: "hostname-override", Value: "x"}}},
			hostname: "h1",
			want:     []string{"--v=2", "--hostname-override=x"},
		},
		{
			name:     "extra hostname-override equal to the host name still passes",
			nr:       config.NodeRegistrationOptions{Name: "n1", KubeletExtraArgs: []config.Arg{{Name: "hostname-override", Value: "h1"}}},
			hostname: "h1",
			want:     []string{"--hostname-override=h1"},
		},
		{
			name:     "repeated extra args are all kept, in order",
			nr:       config.NodeRegistrationOptions{Name: "h1", KubeletExtraArgs: []config.Arg{{Name: "node-labels", Value: "a=1"}, {Name: "node-labels", Value: "b=2"}}},
			hostname: "h1",
			want:     []string{"--node-labels=a=1", "--node-labels=b=2"},
		},
		{name: "taints only when asked", nr: config.NodeRegistrationOptions{Name: "h1", Taints: taint}, hostname: "h1"},
		{
			name:           "kadm's flags are sorted by name",
			nr:             config.NodeRegistrationOptions{Name: "n1", Taints: taint},
			hostname:       "h1",
			registerTaints: true,
			want:           []string{"--hostname-override=n1", "--register-with-taints=a=b:NoExecute"},
		},
		{
			name:           "explicitly no taints",
			nr:             config.NodeRegistrationOptions{Name: "h1", Taints: []corev1.Taint{}},
			hostname:       "h1",
			registerTaints: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Flags(&tt.nr, tt.hostname, tt.registerTaints); !slices.Equal(got, tt.want) {
				t.Errorf("Flags() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFlagsEnvQuotes(t *testing.T) {
	t.Parallel()
	got := string(FlagsEnv([]string{`--node-labels=note="x y"`}))
	want := `KUBELET_KUBEADM_ARGS="--node-labels=note=\"x y\""` + "\n"
	if got != want {
		t.Errorf("FlagsEnv() = %q, want %q", got, want)
	}
}

func TestNodeName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		nr   config.NodeRegistrationOptions
		want string
	}{
		{name: "host name", want: "host"},
		{name: "node name", nr: config.NodeRegistrationOptions{Name: "node"}, want: "node"},
		{name: "last override wins", nr: config.NodeRegistrationOptions{Name: "node", KubeletExtraArgs: []config.Arg{
			{Name: "hostname-override", Value: "o1"}, {Name: "hostname-override", Value: "o2"}}}, want: "o2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := NodeName(&tt.nr, "host"); got != tt.want {
				t.Errorf("NodeName() = %q, want %q", got, tt.want)
			}
		})
	}
}
