package httplog

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"k8s.io/klog/v2"
)

// LibraryMax is the highest verbosity klog, and so every library logging
// through it, ever gets: kadm's own debug lines use V(1) to V(5).
const LibraryMax = 5

// RequestLevel is the verbosity from which kadm logs each HTTP request.
const RequestLevel = 6

var (
	verbosity atomic.Int32
	klogFlags = sync.OnceValue(func() *flag.FlagSet {
		fs := flag.NewFlagSet("klog", flag.ContinueOnError)
		klog.InitFlags(fs)
		return fs
	})
)

// SetVerbosity is -v: kadm logs up to v, klog up to min(v, LibraryMax).
func SetVerbosity(v int) error {
	if v < 0 {
		v = 0
	}
	if err := klogFlags().Set("v", strconv.Itoa(min(v, LibraryMax))); err != nil {
		return err
	}
	verbosity.Store(int32(v))
	return nil
}

// Verbosity is the -v kadm runs with.
func Verbosity() int { return int(verbosity.Load()) }

// SetVModule is --vmodule ("pattern=N,..."), with every N capped at
// LibraryMax: the flag raises chosen files' verbosity above -v, which would
// otherwise let client-go's request.go dump bodies whatever -v says. kadm's
// own files log at LibraryMax at most, so nothing of theirs is lost.
func SetVModule(spec string) (capped string, err error) {
	var pats []string
	for _, pat := range strings.Split(spec, ",") {
		if pat == "" {
			continue
		}
		file, level, ok := strings.Cut(pat, "=")
		n, convErr := strconv.Atoi(level)
		if !ok || file == "" || convErr != nil || n < 0 {
			return "", fmt.Errorf("%q is not pattern=N: expect a comma-separated list of file pattern=N settings", pat)
		}
		pats = append(pats, fmt.Sprintf("%s=%d", file, min(n, LibraryMax)))
	}
	capped = strings.Join(pats, ",")
	if err := klogFlags().Set("vmodule", capped); err != nil {
		return "", err
	}
	return capped, nil
}
