package config

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of DetectCRISocket, so that a caller can fall back to a default
// when no runtime is installed yet but must ask the user to choose among several.
var (
	ErrNoCRISocket       = errors.New("no container runtime found")
	ErrSeveralCRISockets = errors.New("found several container runtime endpoints")
)

// KnownCRISockets lists, in kubeadm's order, the container runtime endpoints DetectCRISocket
// looks for: containerd, CRI-O and cri-dockerd.
func KnownCRISockets() []string {
	return []string{CRISocketContainerd, CRISocketCRIO, CRISocketDocker}
}

// DetectCRISocket returns the one known CRI endpoint whose socket exists. exists is asked
// about file system paths (e.g. /var/run/containerd/containerd.sock) so that tests need no
// real sockets. Unlike kubeadm, which falls back to containerd when nothing is found, kadm
// fails: a missing runtime would otherwise surface much later and less clearly.
func DetectCRISocket(exists func(path string) bool) (string, error) {
	var found, looked []string
	for _, endpoint := range KnownCRISockets() {
		path := strings.TrimPrefix(endpoint, "unix://")
		looked = append(looked, path)
		if exists(path) {
			found = append(found, endpoint)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("%w: looked for the sockets %s; start the container runtime, "+
			"or give its endpoint with --cri-socket (nodeRegistration.criSocket in the config file)", ErrNoCRISocket, strings.Join(looked, ", "))
	default:
		return "", fmt.Errorf("%w: %s; choose one with --cri-socket "+
			"(nodeRegistration.criSocket in the config file)", ErrSeveralCRISockets, strings.Join(found, ", "))
	}
}
