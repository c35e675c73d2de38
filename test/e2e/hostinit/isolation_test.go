package main

import (
	"errors"
	"strings"
	"testing"
)

const isolatedMountinfo = `22 1 8:1 / / rw - ext4 /dev/vda rw
30 22 0:40 / /etc rw - overlay overlay rw,lowerdir=/etc,upperdir=/tmp/h/overlay/etc/upper,workdir=/tmp/h/overlay/etc/work
31 22 0:41 / /run rw,nosuid,nodev - tmpfs tmpfs rw,mode=755
32 30 8:1 /tmp/h/etc-kubernetes /etc/kubernetes rw - ext4 /dev/vda rw
33 22 0:5 / /proc rw - proc proc rw
34 33 8:1 /tmp/h/sysctl/kernel.panic /proc/sys/kernel/panic rw - ext4 /dev/vda rw
`

func testLayout() *layout {
	return &layout{
		overlays:       []overlay{{target: "/etc", upper: "/tmp/h/overlay/etc/upper", work: "/tmp/h/overlay/etc/work"}},
		tmpfs:          []string{"/run"},
		binds:          []bind{{src: "/tmp/h/etc-kubernetes", dst: "/etc/kubernetes"}},
		masks:          []mask{{key: "kernel.panic", value: "10"}},
		machineMountNS: 100,
	}
}

func TestCheckIsolation(t *testing.T) {
	t.Parallel()
	reads := func(value string) func(string) ([]byte, error) {
		return func(p string) ([]byte, error) {
			if p != "/proc/sys/kernel/panic" {
				return nil, errors.New("unexpected read of " + p)
			}
			return []byte(value + "\n"), nil
		}
	}
	if err := testLayout().checkIsolation([]byte(isolatedMountinfo), 200, reads("10")); err != nil {
		t.Errorf("an isolated host fails the check: %v", err)
	}
	for _, tc := range []struct {
		name      string
		mountinfo string
		ns        uint64
		value     string
		want      string
	}{
		{"the machine's mount namespace", isolatedMountinfo, 100, "10", "shares the machine's mount namespace"},
		{"no overlay on /etc", strings.Replace(isolatedMountinfo, " /etc rw - overlay", " /etcx rw - overlay", 1), 200, "10", "/etc is not the host's overlay"},
		{"/run not a tmpfs", strings.Replace(isolatedMountinfo, " /run ", " /runx ", 1), 200, "10", "/run is not a private tmpfs"},
		{"/etc/kubernetes not bound", strings.Replace(isolatedMountinfo, "/tmp/h/etc-kubernetes", "/", 1), 200, "10", "/etc/kubernetes is not bound"},
		{"a sysctl not masked", strings.Replace(isolatedMountinfo, "/proc/sys/kernel/panic", "/proc/sys/kernel/other", 1), 200, "10", "kernel.panic is not masked"},
		{"a mask with another value", isolatedMountinfo, 200, "0", `reads "0", want "10"`},
	} {
		err := testLayout().checkIsolation([]byte(tc.mountinfo), tc.ns, reads(tc.value))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

func TestParseMountinfoUnescapes(t *testing.T) {
	t.Parallel()
	top := parseMountinfo([]byte(`40 22 0:50 / /mnt/a\040b rw - tmpfs tmpfs rw` + "\n"))
	if e, ok := top["/mnt/a b"]; !ok || e.fsType != "tmpfs" {
		t.Errorf("mount points %v", top)
	}
}
