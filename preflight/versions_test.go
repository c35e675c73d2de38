package preflight

import (
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/util/version"
)

func TestKubernetesVersion(t *testing.T) {
	t.Parallel()
	runCases(t, []checkCase{
		{name: "same release", check: KubernetesVersion{KadmVersion: "v1.37.2", KubernetesVersion: "v1.37.0"}, wantName: "KubernetesVersion"},
		{name: "older release", check: KubernetesVersion{KadmVersion: "v1.37.2", KubernetesVersion: "v1.36.5"}, wantName: "KubernetesVersion"},
		{name: "next minor", check: KubernetesVersion{KadmVersion: "v1.37.2", KubernetesVersion: "v1.38.0"}, wantName: "KubernetesVersion",
			warnings: []string{"Kubernetes version is greater than kadm version. Please consider to upgrade kadm. Kubernetes version: 1.38.0. Kadm version: 1.37.x"}},
		{name: "pre-release of the next minor", check: KubernetesVersion{KadmVersion: "v1.37.2", KubernetesVersion: "v1.38.0-alpha.1"}, wantName: "KubernetesVersion",
			warnings: []string{"Kubernetes version: 1.38.0-alpha.1"}},
		{name: "development build", check: KubernetesVersion{KadmVersion: "v0.0.0-master", KubernetesVersion: "v1.99.0"}, wantName: "KubernetesVersion"},
		{name: "bad version", check: KubernetesVersion{KadmVersion: "v1.37.2", KubernetesVersion: "stable"}, wantName: "KubernetesVersion",
			errs: []string{`couldn't parse Kubernetes version "stable"`}},
	})
}

func TestKubeletVersion(t *testing.T) {
	t.Parallel()
	kubelet := func(out string) commands { return commands{"kubelet --version": {out: out}} }
	min := version.MustParseSemantic("v1.34.0")
	runCases(t, []checkCase{
		{name: "matching", check: KubeletVersion{KubernetesVersion: "v1.37.2", Min: min, Run: kubelet("Kubernetes v1.37.2\n").run}, wantName: "KubeletVersion"},
		{name: "warnings around the version", check: KubeletVersion{KubernetesVersion: "v1.37.2", Min: min,
			Run: kubelet("W0101 flag --foo has been deprecated\nKubernetes v1.37.1\n").run}, wantName: "KubeletVersion"},
		{name: "older within skew", check: KubeletVersion{KubernetesVersion: "v1.37.2", Min: min, Run: kubelet("Kubernetes v1.34.1").run}, wantName: "KubeletVersion"},
		{name: "join without a control-plane version", check: KubeletVersion{Min: min, Run: kubelet("Kubernetes v1.38.0").run}, wantName: "KubeletVersion"},
		{name: "too old", check: KubeletVersion{KubernetesVersion: "v1.37.2", Min: min, Run: kubelet("Kubernetes v1.33.9").run}, wantName: "KubeletVersion",
			errs: []string{`Kubelet version "1.33.9" is lower than kadm can support`}},
		{name: "newer than the control plane", check: KubeletVersion{KubernetesVersion: "v1.36.0", Min: min, Run: kubelet("Kubernetes v1.37.0").run}, wantName: "KubeletVersion",
			errs: []string{"the kubelet version is higher than the control plane version"}},
		{name: "not installed", check: KubeletVersion{KubernetesVersion: "v1.37.2", Min: min, Run: commands{}.run}, wantName: "KubeletVersion",
			warnings: []string{"couldn't get kubelet version: cannot execute 'kubelet --version'"}},
		{name: "unparsable output", check: KubeletVersion{Min: min, Run: kubelet("kubelet version 1").run}, wantName: "KubeletVersion",
			errs: []string{`unable to parse output from the kubelet: "kubelet version 1"`}},
		{name: "failing kubelet", check: KubeletVersion{Min: min, Run: commands{"kubelet --version": {err: errors.New("exit status 2")}}.run}, wantName: "KubeletVersion",
			warnings: []string{"exit status 2"}},
	})
}

func TestMinKubeletVersion(t *testing.T) {
	t.Parallel()
	tests := map[string]string{"v1.37.2": "1.34.0", "v1.40.0-alpha.0": "1.37.0", "v1.2.0": "1.0.0"}
	for in, want := range tests {
		if got := MinKubeletVersion(version.MustParseSemantic(in)).String(); got != want {
			t.Errorf("MinKubeletVersion(%s) = %s, want %s", in, got, want)
		}
	}
}
