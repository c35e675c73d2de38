package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// kubeletVersion is what the stand-in reports as its kubelet version, so
// kadm's version checks see the release the e2e binaries are built from.
const kubeletVersion = "v1.37.2"

// defaultStateDir holds the stand-in's pid file, logs and Pod state inside a
// host; the harness bind-mounts a per-host directory over /run.
const defaultStateDir = "/run/kubelet-standin"

var modes = map[string]func(args []string) int{
	"kubelet":   runKubelet,
	"systemctl": runSystemctl,
	"hostinit":  runHostInit,
}

func main() {
	mode, args := selectMode(os.Args)
	run, ok := modes[mode]
	if !ok {
		fmt.Fprintf(os.Stderr, "kubelet-standin: unknown mode %q: use kubelet, systemctl or hostinit as the first argument or the program name\n", mode)
		os.Exit(2)
	}
	os.Exit(run(args))
}

// selectMode picks the mode from the program name when the binary is linked
// as "kubelet" or "systemctl", else from the first argument.
func selectMode(argv []string) (string, []string) {
	if len(argv) == 0 {
		return "", nil
	}
	if _, ok := modes[filepath.Base(argv[0])]; ok {
		return filepath.Base(argv[0]), argv[1:]
	}
	if len(argv) < 2 {
		return "", nil
	}
	return argv[1], argv[2:]
}
