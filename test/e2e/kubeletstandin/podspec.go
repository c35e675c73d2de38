package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// basePath is the PATH every static Pod process starts with.
const basePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// manifest is one decoded static Pod file.
type manifest struct {
	hash string
	pod  *corev1.Pod
}

func decodeManifest(b []byte) (manifest, error) {
	pod := &corev1.Pod{}
	if err := yaml.Unmarshal(b, pod); err != nil {
		return manifest{}, err
	}
	if pod.Kind != "" && pod.Kind != "Pod" {
		return manifest{}, fmt.Errorf("kind %s is not Pod", pod.Kind)
	}
	if pod.Name == "" {
		return manifest{}, fmt.Errorf("the Pod has no metadata.name")
	}
	if pod.Namespace == "" {
		pod.Namespace = "default"
	}
	sum := sha256.Sum256(b)
	return manifest{hash: hex.EncodeToString(sum[:16]), pod: pod}, nil
}

// imageBinary is the program an image stands for: its last path element
// without tag or digest ("registry.k8s.io/etcd:3.6.5-0" is "etcd").
func imageBinary(image string) string {
	image, _, _ = strings.Cut(image, "@")
	name := image[strings.LastIndex(image, "/")+1:]
	name, _, _ = strings.Cut(name, ":")
	return name
}

// commandLine maps a container to a command line on the host: the image's
// entrypoint is the built binary named like the image, and the container's
// command may only name that entrypoint.
func commandLine(componentsDir string, c corev1.Container) ([]string, error) {
	binary := imageBinary(c.Image)
	if binary == "" {
		return nil, fmt.Errorf("container %s has no image", c.Name)
	}
	path := filepath.Join(componentsDir, binary)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("image %s: no built binary %s (build the e2e binaries with hack/build-e2e-bins.sh): %w", c.Image, path, err)
	}
	if len(c.Command) == 0 {
		return append([]string{path}, c.Args...), nil
	}
	if filepath.Base(c.Command[0]) != binary {
		return nil, fmt.Errorf("image %s provides only %s, but container %s runs %q", c.Image, binary, c.Name, c.Command[0])
	}
	argv := append([]string{path}, c.Command[1:]...)
	return append(argv, c.Args...), nil
}

// containerEnv is the process environment of a container: a plain PATH and
// HOME, and the container's literal env values. References to Secrets,
// ConfigMaps or fields have no meaning for a static Pod and are reported.
func containerEnv(c corev1.Container) (env []string, unsupported []string) {
	env = []string{"PATH=" + basePath, "HOME=/root"}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			unsupported = append(unsupported, e.Name)
			continue
		}
		env = append(env, e.Name+"="+e.Value)
	}
	return env, unsupported
}

// mountWarnings lists the volume mounts a process on the host cannot honour:
// it sees the host's file system as is, so a hostPath volume only works when
// mounted at its own path.
func mountWarnings(pod *corev1.Pod) []string {
	hostPaths := map[string]string{}
	for _, v := range pod.Spec.Volumes {
		if v.HostPath != nil {
			hostPaths[v.Name] = v.HostPath.Path
		}
	}
	var out []string
	for _, c := range pod.Spec.Containers {
		for _, m := range c.VolumeMounts {
			p, ok := hostPaths[m.Name]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("container %s: volume %s is not a hostPath volume and is not provided", c.Name, m.Name))
			case filepath.Clean(p) != filepath.Clean(m.MountPath):
				out = append(out, fmt.Sprintf("container %s: volume %s mounts host path %s at %s; the process sees %s as it is on the host", c.Name, m.Name, p, m.MountPath, m.MountPath))
			}
		}
	}
	return out
}
