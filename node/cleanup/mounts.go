package cleanup

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// MountPoints lists the mount points strictly inside dir found in mounts
// (the text of /proc/mounts), deepest first, so that each can be unmounted
// before the one it sits in.
func MountPoints(mounts []byte, dir string) []string {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	var out []string
	for line := range strings.SplitSeq(string(mounts), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		p := unescape(fields[1])
		if strings.HasPrefix(p, prefix) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	return slices.Compact(out)
}

// unescape undoes the octal escapes (\040 for a space) of /proc/mounts.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Unmount unmounts every mount point inside dir listed in the file
// mountsFile (/proc/mounts) with unmount. EINVAL, which a mount that went
// away with a shared peer returns, is not an error.
func Unmount(mountsFile, dir string, unmount func(path string) error) error {
	mounts, err := os.ReadFile(mountsFile)
	if err != nil {
		return fmt.Errorf("read the mount table: %w", err)
	}
	var errs []error
	for _, p := range MountPoints(mounts, dir) {
		if err := unmount(p); err != nil && !errors.Is(err, syscall.EINVAL) {
			errs = append(errs, fmt.Errorf("unmount %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// SysUnmount unmounts path with umount2 and no flags.
func SysUnmount(path string) error {
	return syscall.Unmount(path, 0)
}
