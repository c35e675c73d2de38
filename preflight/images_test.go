package preflight

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/cri"
	"github.com/kadm-project/kadm/node/cri/crifake"
	"github.com/kadm-project/kadm/node/machine"
)

func TestImagePull(t *testing.T) {
	t.Parallel()
	cluster := config.DefaultClusterConfiguration()
	config.SetClusterDefaults(cluster)
	images := config.Images(cluster)
	pause := config.PauseImage(cluster)
	serial, parallel := true, false
	tests := []struct {
		name      string
		runtime   *crifake.Runtime
		policy    corev1.PullPolicy
		serial    *bool
		wantPulls []string
		warnings  []string
		errs      []string
	}{
		{
			name: "IfNotPresent pulls the missing images", policy: corev1.PullIfNotPresent,
			runtime:   &crifake.Runtime{Sandbox: pause, Images: images[:3]},
			wantPulls: images[3:],
		},
		{
			name: "parallel pulls", policy: corev1.PullIfNotPresent, serial: &parallel,
			runtime:   &crifake.Runtime{Sandbox: pause},
			wantPulls: images,
		},
		{
			name: "Always", policy: corev1.PullAlways, serial: &serial,
			runtime:   &crifake.Runtime{Sandbox: pause, Images: images},
			wantPulls: images,
		},
		{
			name: "Never with every image present", policy: corev1.PullNever,
			runtime: &crifake.Runtime{Sandbox: pause, Images: images},
		},
		{
			name: "Never names the missing image", policy: corev1.PullNever,
			runtime: &crifake.Runtime{Sandbox: pause, Images: slices.DeleteFunc(slices.Clone(images), func(i string) bool { return i == pause })},
			errs:    []string{"image " + pause + " is not present in the container runtime, and imagePullPolicy is Never"},
		},
		{
			name: "another sandbox image warns", policy: corev1.PullIfNotPresent,
			runtime:  &crifake.Runtime{Sandbox: "registry.k8s.io/pause:3.8", Images: images},
			warnings: []string{`detected that the sandbox image "registry.k8s.io/pause:3.8" of the container runtime is inconsistent with that used by kubeadm. It is recommended to use "` + pause + `" as the CRI sandbox image.`},
		},
		{
			name: "a runtime that does not say its sandbox image does not warn", policy: corev1.PullIfNotPresent,
			runtime: &crifake.Runtime{Images: images},
		},
		{
			name: "a failed pull names the image", policy: corev1.PullIfNotPresent,
			runtime:   &crifake.Runtime{Sandbox: pause, Images: images[1:], PullErrs: map[string]error{images[0]: &cri.StatusError{Code: cri.NotFound, Message: "not found"}}},
			wantPulls: images[:1],
			errs:      []string{"failed to pull image " + images[0] + ": not found"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			nr := &config.NodeRegistrationOptions{CRISocket: socket, ImagePullPolicy: tc.policy, ImagePullSerial: tc.serial}
			checks := ImagePullChecks(nr, cluster, machine.Host{CRI: tc.runtime.Connect})
			if len(checks) != 1 || checks[0].Name() != "ImagePull" {
				t.Fatalf("ImagePullChecks = %v", names(checks))
			}
			warnings, errs := checks[0].Check(t.Context())
			matchErrors(t, "warnings", warnings, tc.warnings)
			matchErrors(t, "errors", errs, tc.errs)
			pulls := tc.runtime.Pulls()
			if tc.serial != nil && !*tc.serial {
				slices.Sort(pulls)
				tc.wantPulls = slices.Sorted(slices.Values(tc.wantPulls))
			}
			if !slices.Equal(pulls, tc.wantPulls) {
				t.Errorf("pulls = %q, want %q", pulls, tc.wantPulls)
			}
		})
	}
}

func TestImagePullUnreachable(t *testing.T) {
	t.Parallel()
	cluster := config.DefaultClusterConfiguration()
	config.SetClusterDefaults(cluster)
	nr := &config.NodeRegistrationOptions{CRISocket: socket, ImagePullPolicy: corev1.PullIfNotPresent}
	_, errs := ImagePullChecks(nr, cluster, machine.Host{CRI: crifake.Unreachable})[0].Check(t.Context())
	matchErrors(t, "errors", errs, []string{"could not connect to the container runtime at " + socket})
}
