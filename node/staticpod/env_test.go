package staticpod

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
)

func TestEnv(t *testing.T) {
	t.Parallel()
	environ := []string{"PATH=/bin", "https_proxy=http://p:3128", "NO_PROXY=.local", "FTP_PROXY=", "malformed", "HTTP_PROXY_USER=x"}
	extra := []config.EnvVar{
		{EnvVar: corev1.EnvVar{Name: "https_proxy", Value: "http://other:3128"}},
		{EnvVar: corev1.EnvVar{Name: "A", Value: "1"}},
	}
	got := Env(ProxyEnv(environ), extra)
	want := []corev1.EnvVar{
		{Name: "A", Value: "1"},
		{Name: "NO_PROXY", Value: ".local"},
		{Name: "https_proxy", Value: "http://other:3128"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Env() (-want +got):\n%s", diff)
	}
	if got := Env(ProxyEnv([]string{"PATH=/bin"})); got != nil {
		t.Errorf("Env() without variables = %v, want nil so that the manifest has no env", got)
	}
}
