package preflight

import (
	"errors"
	"slices"
	"testing"
)

func TestInPath(t *testing.T) {
	t.Parallel()
	lookPath := func(file string) (string, error) {
		if slices.Contains([]string{"mount", "cp"}, file) {
			return "/usr/bin/" + file, nil
		}
		return "", errors.New("not found")
	}
	runCases(t, []checkCase{
		{name: "present", check: InPath{Executable: "mount", Mandatory: true, LookPath: lookPath}, wantName: "FileExisting-mount"},
		{name: "mandatory missing", check: InPath{Executable: "losetup", Mandatory: true, LookPath: lookPath}, wantName: "FileExisting-losetup",
			errs: []string{"losetup not found in system path"}},
		{name: "optional missing", check: InPath{Executable: "ethtool", Suggestion: "install ethtool", LookPath: lookPath}, wantName: "FileExisting-ethtool",
			warnings: []string{"ethtool not found in system path\nSuggestion: install ethtool"}},
		{name: "path in name", check: InPath{Executable: "/opt/bin/tool", LookPath: lookPath}, wantName: "FileExisting--opt-bin-tool",
			warnings: []string{"/opt/bin/tool not found"}},
	})
	var names []string
	for _, c := range requiredTools(lookPath) {
		names = append(names, c.Name())
	}
	if want := []string{"FileExisting-losetup", "FileExisting-mount", "FileExisting-cp"}; !slices.Equal(names, want) {
		t.Errorf("required tools = %q, want %q", names, want)
	}
}
