package upgradeplan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckSkew(t *testing.T) {
	t.Parallel()
	kubelets := Versions{"v1.36.3": {"cp1", "worker"}}
	tests := []struct {
		name      string
		cluster   string
		kubelets  Versions
		kadm      string
		target    Target
		mandatory []string
		skippable []string
	}{
		{name: "one minor up", cluster: "v1.36.3", kubelets: kubelets, kadm: "v1.37.2", target: Target{Version: "v1.37.2"}},
		{name: "a patch release", cluster: "v1.37.0", kubelets: kubelets, kadm: "v1.37.2", target: Target{Version: "v1.37.2"}},
		{name: "two minors up", cluster: "v1.35.4", kubelets: kubelets, kadm: "v1.37.2", target: Target{Version: "v1.37.2"},
			mandatory: []string{`Specified version to upgrade to "v1.37.2" is too high; kubeadm can upgrade only 1 minor version at a time`}},
		{name: "two minors down", cluster: "v1.37.2", kubelets: kubelets, kadm: "v1.37.2", target: Target{Version: "v1.35.0", Minimum: "v1.36.0"},
			mandatory: []string{
				`Specified version to upgrade to "v1.35.0" is equal to or lower than the minimum supported version "v1.36.0". Please specify a higher version to upgrade to`,
				`Specified version to downgrade to "v1.35.0" is too low; kubeadm can downgrade only 1 minor version at a time`},
			skippable: []string{"Kubeadm version v1.37.2 can only be used to upgrade to Kubernetes version 1.37"}},
		{name: "newer than kadm's minor", cluster: "v1.37.2", kubelets: kubelets, kadm: "v1.37.2", target: Target{Version: "v1.38.0"},
			mandatory: []string{`Specified version to upgrade to "v1.38.0" is at least one minor release higher than the kubeadm minor release (38 > 37). Such an upgrade is not supported`}},
		{name: "a newer patch than kadm", cluster: "v1.37.2", kubelets: kubelets, kadm: "v1.37.2", target: Target{Version: "v1.37.5"},
			skippable: []string{`Specified version to upgrade to "v1.37.5" is higher than the kubeadm version "v1.37.2". Upgrade kubeadm first using the tool you used to install kubeadm`}},
		{name: "an older minor than kadm", cluster: "v1.36.0", kubelets: kubelets, kadm: "v1.37.2", target: Target{Version: "v1.36.3"},
			skippable: []string{"Kubeadm version v1.37.2 can only be used to upgrade to Kubernetes version 1.37"}},
		{name: "a release candidate", cluster: "v1.37.2", kubelets: kubelets, kadm: "v1.38.0-rc.1", target: Target{Version: "v1.38.0-rc.1"},
			skippable: []string{`Specified version to upgrade to "v1.38.0-rc.1" is an unstable version and such upgrades weren't allowed via setting the --allow-*-upgrades flags`}},
		{name: "a release candidate allowed", cluster: "v1.37.2", kubelets: kubelets, kadm: "v1.38.0-rc.1", target: Target{Version: "v1.38.0-rc.1", AllowRC: true}},
		{name: "an alpha needs experimental", cluster: "v1.37.2", kubelets: kubelets, kadm: "v1.38.0-alpha.1", target: Target{Version: "v1.38.0-alpha.1", AllowRC: true},
			skippable: []string{`is an unstable version`}},
		{name: "an unstable version two minors up may be forced", cluster: "v1.36.0", kubelets: kubelets, kadm: "v1.38.0-alpha.1",
			target:    Target{Version: "v1.38.0-alpha.1", AllowExperimental: true},
			skippable: []string{`Specified version to upgrade to "v1.38.0-alpha.1" is too high; kubeadm can upgrade only 1 minor version at a time`}},
		{name: "kubelets too old", cluster: "v1.37.2", kubelets: Versions{"v1.33.1": {"old"}, "v1.34.0": {"w1"}, "v1.37.2": {"cp1"}}, kadm: "v1.38.0",
			target:    Target{Version: "v1.38.0"},
			skippable: []string{"There are kubelets in this cluster that are too old that have these versions [v1.33.1 v1.34.0]"}},
		{name: "not a version", cluster: "v1.37.2", kadm: "v1.37.2", target: Target{Version: "latest"},
			mandatory: []string{`unable to parse normalized version "latest" as a semantic version`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := CheckSkew(tt.cluster, tt.kubelets, tt.kadm, tt.target)
			check := func(kind string, got []error, want []string) {
				if len(got) != len(want) {
					t.Errorf("%s = %v, want %d errors", kind, got, len(want))
					return
				}
				for i := range want {
					if !strings.Contains(got[i].Error(), want[i]) {
						t.Errorf("%s[%d] = %q, want it to contain %q", kind, i, got[i], want[i])
					}
				}
			}
			check("mandatory", s.Mandatory, tt.mandatory)
			check("skippable", s.Skippable, tt.skippable)
			if s.Empty() != (len(tt.mandatory)+len(tt.skippable) == 0) {
				t.Errorf("Empty() = %v", s.Empty())
			}
		})
	}
}

func TestEnforce(t *testing.T) {
	t.Parallel()
	fatal := &Skew{Mandatory: []error{fmt.Errorf("m1")}, Skippable: []error{fmt.Errorf("s1")}}
	err := fatal.Enforce(true, nil)
	if want := "the version argument is invalid due to these fatal errors:\n\n\t- m1\n\nPlease fix the misalignments highlighted above and try upgrading again"; err == nil || err.Error() != want {
		t.Errorf("mandatory, forced: %q, want %q", err, want)
	}
	skippable := &Skew{Skippable: []error{fmt.Errorf("s1"), fmt.Errorf("s2")}}
	err = skippable.Enforce(false, nil)
	if want := "the version argument is invalid due to these errors:\n\n\t- s1\n\t- s2\n\nCan be bypassed if you pass the --force flag"; err == nil || err.Error() != want {
		t.Errorf("skippable: %q, want %q", err, want)
	}
	var warned string
	if err := skippable.Enforce(true, func(f string, a ...any) { warned = fmt.Sprintf(f, a...) }); err != nil {
		t.Errorf("skippable, forced: %v", err)
	}
	if want := "[upgrade/preflight] Found 2 potential version compatibility errors but skipping since the --force flag is set: \n\n\t- s1\n\t- s2\n"; warned != want {
		t.Errorf("forced warning %q, want %q", warned, want)
	}
	if err := (&Skew{}).Enforce(false, nil); err != nil {
		t.Errorf("no problem: %v", err)
	}
}

func TestNewestAPIServer(t *testing.T) {
	t.Parallel()
	got, err := NewestAPIServer(Versions{"v1.36.3": {"cp2"}, "v1.37.2": {"cp1"}, "v1.36.10": {"cp3"}}, "v1.36.3")
	if err != nil || got != "v1.37.2" {
		t.Errorf("NewestAPIServer = %q, %v; want v1.37.2", got, err)
	}
	if got, _ := NewestAPIServer(nil, "v1.36.3"); got != "v1.36.3" {
		t.Errorf("without mirror Pods = %q, want the cluster version", got)
	}
	if _, err := NewestAPIServer(Versions{"latest": {"cp1"}}, ""); err == nil || !cmp.Equal(err.Error(), "couldn't parse kube-apiserver version latest from nodes [cp1]") {
		t.Errorf("unparsable version: %v", err)
	}
}
