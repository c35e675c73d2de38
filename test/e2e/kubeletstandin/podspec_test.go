package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestImageBinary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ image, want string }{
		{"registry.k8s.io/etcd:3.6.5-0", "etcd"},
		{"registry.k8s.io/kube-apiserver:v1.37.2", "kube-apiserver"},
		{"localhost:5000/kube-scheduler", "kube-scheduler"},
		{"example.com/mirror/kube-controller-manager@sha256:0123", "kube-controller-manager"},
		{"etcd", "etcd"},
	} {
		if got := imageBinary(tc.image); got != tc.want {
			t.Errorf("imageBinary(%q) = %q, want %q", tc.image, got, tc.want)
		}
	}
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, b := range []string{"etcd", "kube-apiserver"} {
		if err := os.WriteFile(filepath.Join(dir, b), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		c       corev1.Container
		want    []string
		wantErr string
	}{
		{"command and args", corev1.Container{Name: "etcd", Image: "registry.k8s.io/etcd:3.6.5-0", Command: []string{"etcd", "--data-dir=/var/lib/etcd"}, Args: []string{"--name=a"}},
			[]string{dir + "/etcd", "--data-dir=/var/lib/etcd", "--name=a"}, ""},
		{"absolute entrypoint", corev1.Container{Name: "api", Image: "registry.k8s.io/kube-apiserver:v1.37.2", Command: []string{"/usr/local/bin/kube-apiserver", "--v=2"}},
			[]string{dir + "/kube-apiserver", "--v=2"}, ""},
		{"image entrypoint", corev1.Container{Name: "etcd", Image: "registry.k8s.io/etcd:3.6.5-0", Args: []string{"--version"}},
			[]string{dir + "/etcd", "--version"}, ""},
		{"another program", corev1.Container{Name: "sh", Image: "registry.k8s.io/etcd:3.6.5-0", Command: []string{"/bin/sh", "-c", "true"}},
			nil, "provides only etcd"},
		{"no binary", corev1.Container{Name: "proxy", Image: "registry.k8s.io/kube-proxy:v1.37.2", Command: []string{"kube-proxy"}},
			nil, "no built binary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := commandLine(dir, tc.c)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("commandLine = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestContainerEnv(t *testing.T) {
	t.Parallel()
	env, unsupported := containerEnv(corev1.Container{Env: []corev1.EnvVar{
		{Name: "A", Value: "1"},
		{Name: "B", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
	}})
	if want := []string{"PATH=" + basePath, "HOME=/root", "A=1"}; !slices.Equal(env, want) {
		t.Errorf("env = %q, want %q", env, want)
	}
	if !slices.Equal(unsupported, []string{"B"}) {
		t.Errorf("unsupported = %q, want [B]", unsupported)
	}
}

func TestDecodeManifest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, yaml, wantErr, wantNamespace string
	}{
		{"pod", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\n  namespace: kube-system\n", "", "kube-system"},
		{"default namespace", "kind: Pod\nmetadata:\n  name: etcd\n", "", "default"},
		{"not a pod", "kind: Deployment\nmetadata:\n  name: x\n", "not Pod", ""},
		{"no name", "kind: Pod\n", "no metadata.name", ""},
		{"not yaml", "\t:", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := decodeManifest([]byte(tc.yaml))
			switch {
			case tc.name == "not yaml":
				if err == nil {
					t.Fatal("decoded a broken manifest")
				}
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case m.pod.Namespace != tc.wantNamespace || len(m.hash) != 32:
				t.Errorf("namespace %q hash %q", m.pod.Namespace, m.hash)
			}
		})
	}
}

func TestMountWarnings(t *testing.T) {
	t.Parallel()
	pod := &corev1.Pod{Spec: corev1.PodSpec{
		Volumes: []corev1.Volume{
			{Name: "same", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/etc/kubernetes/pki"}}},
			{Name: "moved", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/srv/certs"}}},
			{Name: "empty", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		},
		Containers: []corev1.Container{{Name: "c", VolumeMounts: []corev1.VolumeMount{
			{Name: "same", MountPath: "/etc/kubernetes/pki/"},
			{Name: "moved", MountPath: "/etc/ssl/certs"},
			{Name: "empty", MountPath: "/scratch"},
		}}},
	}}
	got := mountWarnings(pod)
	if len(got) != 2 || !strings.Contains(got[0], "/srv/certs") || !strings.Contains(got[1], "not a hostPath") {
		t.Errorf("mountWarnings = %q, want one for the moved host path and one for the emptyDir", got)
	}
}
