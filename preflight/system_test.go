package preflight

import (
	"testing"
	"testing/fstest"
)

func TestSystemChecks(t *testing.T) {
	t.Parallel()
	uid := func(id int) func() int { return func() int { return id } }
	mem := func(meminfo string) fstest.MapFS {
		return fstest.MapFS{"proc/meminfo": {Data: []byte(meminfo)}}
	}
	swaps := func(content string) fstest.MapFS {
		return fstest.MapFS{"proc/swaps": {Data: []byte(content)}}
	}
	const header = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
	runCases(t, []checkCase{
		{name: "root", check: IsPrivilegedUser{UID: uid(0)}, wantName: "IsPrivilegedUser"},
		{name: "not root", check: IsPrivilegedUser{UID: uid(1000)}, wantName: "IsPrivilegedUser", errs: []string{"user is not running as root"}},
		{name: "enough CPUs", check: NumCPU{Min: 2, Count: uid(2)}, wantName: "NumCPU"},
		{name: "one CPU", check: NumCPU{Min: 2, Count: uid(1)}, wantName: "NumCPU",
			errs: []string{"the number of available CPUs 1 is less than the required 2"}},
		{name: "enough memory", check: Mem{MinMB: 1700, Root: mem("MemTotal:        1740800 kB\n")}, wantName: "Mem"},
		{name: "too little memory", check: Mem{MinMB: 1700, Root: mem("MemFree: 1 kB\nMemTotal:        1048576 kB\n")}, wantName: "Mem",
			errs: []string{"the system RAM (1024 MB) is less than the minimum 1700 MB"}},
		{name: "no meminfo", check: Mem{MinMB: 1700, Root: fstest.MapFS{}}, wantName: "Mem", errs: []string{"failed to get system info"}},
		{name: "garbled meminfo", check: Mem{MinMB: 1700, Root: mem("MemTotal: lots\n")}, wantName: "Mem", errs: []string{"unexpected MemTotal line"}},
		{name: "no swap", check: Swap{Root: swaps(header)}, wantName: "Swap"},
		{name: "swap on", check: Swap{Root: swaps(header + "/swapfile file 1048572 0 -2\n")}, wantName: "Swap",
			warnings: []string{"swap is supported for cgroup v2 only"}},
		{name: "no /proc/swaps", check: Swap{Root: fstest.MapFS{}}, wantName: "Swap"},
	})
}
