package main

import (
	"fmt"
	"os"
	"path/filepath"
)

var modes = map[string]func(args []string) int{
	"init":      runInit,
	"systemctl": runSystemctl,
}

func main() {
	mode, args := selectMode(os.Args)
	run, ok := modes[mode]
	if !ok {
		fmt.Fprintf(os.Stderr, "hostinit: unknown mode %q: use init or systemctl as the first argument or the program name\n", mode)
		os.Exit(2)
	}
	os.Exit(run(args))
}

// selectMode picks the mode from the program name when the binary is linked as
// "systemctl", else from the first argument.
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
