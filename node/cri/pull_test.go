package cri

import (
	"context"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
)

// noWait retries as kadm does, without waiting between attempts.
var noWait = retry{attempts: defaultRetry.attempts}

func TestEnsureImages(t *testing.T) {
	t.Parallel()
	images := []string{"r.test/a:1", "r.test/b:1", "r.test/c:1"}
	unavailable := status.Error(codes.Unavailable, "registry hiccup")
	for _, tc := range []struct {
		name     string
		present  []string
		pullErrs []error
		policy   corev1.PullPolicy
		serial   bool
		// wantPulls are the pulls made, in order when serial.
		wantPulls []string
		wantErrs  []string
	}{
		{name: "IfNotPresent pulls what is missing", present: images[:1], policy: corev1.PullIfNotPresent, serial: true, wantPulls: images[1:]},
		{name: "IfNotPresent in parallel", present: images[1:2], policy: corev1.PullIfNotPresent, wantPulls: []string{images[0], images[2]}},
		{name: "Always pulls everything", present: images, policy: corev1.PullAlways, serial: true, wantPulls: images},
		{name: "Never pulls nothing", present: images, policy: corev1.PullNever, serial: true},
		{
			name: "Never names each missing image", present: images[1:2], policy: corev1.PullNever, serial: true,
			wantErrs: []string{"image r.test/a:1 is not present in the container runtime, and imagePullPolicy is Never", "image r.test/c:1 is not present"},
		},
		{
			name: "transient failures are retried", policy: corev1.PullIfNotPresent, serial: true,
			pullErrs:  []error{unavailable, unavailable},
			wantPulls: []string{images[0], images[0], images[0], images[1], images[2]},
		},
		{
			name: "a missing image is not retried", policy: corev1.PullAlways, serial: true,
			pullErrs:  []error{status.Error(codes.NotFound, "r.test/a:1: not found")},
			wantPulls: images,
			wantErrs:  []string{"failed to pull image r.test/a:1: r.test/a:1: not found"},
		},
		{
			name: "five attempts, then the last error", policy: corev1.PullAlways, serial: true,
			pullErrs:  []error{unavailable, unavailable, unavailable, unavailable, unavailable},
			wantPulls: slices.Concat(slices.Repeat(images[:1], 5), images[1:]),
			wantErrs:  []string{"failed to pull image r.test/a:1: registry hiccup"},
		},
		{name: "an unknown policy", policy: "Sometimes", wantErrs: []string{`unsupported pull policy "Sometimes"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeRuntime{images: slices.Clone(tc.present), pullErrs: tc.pullErrs}
			errs := ensureImages(context.Background(), connect(t, f.start(t)), images, tc.policy, tc.serial, noWait)
			if len(errs) != len(tc.wantErrs) {
				t.Fatalf("errors %v, want %d saying %q", errs, len(tc.wantErrs), tc.wantErrs)
			}
			for i, w := range tc.wantErrs {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q, want it to say %q", i, errs[i], w)
				}
			}
			pulls := f.pulls
			if !tc.serial {
				slices.Sort(pulls)
			}
			if !slices.Equal(pulls, tc.wantPulls) {
				t.Errorf("pulls = %q, want %q", pulls, tc.wantPulls)
			}
		})
	}
}
