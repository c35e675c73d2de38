package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rpmutils "github.com/sassoftware/go-rpmutils"
)

const (
	binPath    = "/usr/bin/kadm"
	dropInPath = "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"
	version    = "v1.37.2"
)

// buildKadm builds kadm as `make build` does, version stamp included.
func buildKadm(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kadm")
	cmd := exec.Command("go", "build", "-C", "../..", "-trimpath",
		"-ldflags", "-s -w -X github.com/kadm-project/kadm/app.gitVersion="+version, "-o", bin, "./cmd/kadm")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build kadm: %v\n%s", err, out)
	}
	return bin
}

// TestPackages builds both packages from the real kadm and the repository's
// drop-in, installs the .deb into a scratch root with dpkg and runs the
// installed binary, and reads the .rpm's header and payload.
func TestPackages(t *testing.T) {
	bin := buildKadm(t)
	out := t.TempDir()
	p := params{config: "../nfpm.yaml", dropIn: "../systemd/kubelet.service.d/10-kubeadm.conf", binary: bin, version: version, out: out}
	paths, err := build(p, []string{"deb", "rpm"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(out, "kadm_1.37.2_amd64.deb"), filepath.Join(out, "kadm-1.37.2-1.x86_64.rpm")}
	if !slices.Equal(paths, want) {
		t.Fatalf("built %q, want %q", paths, want)
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".kadm-package-*")); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
	dropIn, err := os.ReadFile(p.dropIn)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("deb", func(t *testing.T) { checkDeb(t, paths[0], dropIn) })
	t.Run("rpm", func(t *testing.T) { checkRPM(t, paths[1], dropIn) })
}

func checkDeb(t *testing.T, deb string, dropIn []byte) {
	if _, err := exec.LookPath("dpkg"); err != nil || os.Geteuid() != 0 {
		t.Skip("installing the .deb needs root and dpkg")
	}
	root := t.TempDir()
	for _, d := range []string{"info", "updates", "triggers"} {
		if err := os.MkdirAll(filepath.Join(root, "var/lib/dpkg", d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dpkg := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("dpkg", append([]string{"--root=" + root, "--log=" + filepath.Join(root, "dpkg.log")}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	dpkg("--install", deb)

	out, err := exec.Command(filepath.Join(root, binPath), "version", "-o", "short").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != version {
		t.Errorf("the installed %s version -o short: %q, %v; want %s", binPath, out, err, version)
	}
	if fi, err := os.Stat(filepath.Join(root, binPath)); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("%s: %v, %v; want mode 0755", binPath, fi, err)
	}
	if got, err := os.ReadFile(filepath.Join(root, dropInPath)); err != nil || !bytes.Equal(got, dropIn) {
		t.Errorf("the installed drop-in differs from the repository's (%v):\n%s", err, got)
	}
	if conffiles, err := os.ReadFile(filepath.Join(root, "var/lib/dpkg/info/kadm.conffiles")); err != nil || strings.TrimSpace(string(conffiles)) != dropInPath {
		t.Errorf("conffiles = %q, %v; want the drop-in", conffiles, err)
	}
	if status := dpkg("--status", "kadm"); !strings.Contains(status, "Status: install ok installed") || !strings.Contains(status, "Conflicts: kubeadm") {
		t.Errorf("dpkg --status kadm:\n%s", status)
	}

	// Removing keeps the configuration file, purging removes it.
	dpkg("--remove", "kadm")
	if _, err := os.Stat(filepath.Join(root, binPath)); err == nil {
		t.Errorf("%s is still there after --remove", binPath)
	}
	if _, err := os.Stat(filepath.Join(root, dropInPath)); err != nil {
		t.Errorf("--remove deleted the drop-in, a configuration file: %v", err)
	}
	dpkg("--purge", "kadm")
	if _, err := os.Stat(filepath.Join(root, dropInPath)); err == nil {
		t.Error("the drop-in is still there after --purge")
	}
}

func checkRPM(t *testing.T, path string, dropIn []byte) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rpm, err := rpmutils.ReadRpm(f)
	if err != nil {
		t.Fatal(err)
	}
	nevra, err := rpm.Header.GetNEVRA()
	if err != nil || nevra.Name != "kadm" || nevra.Version != "1.37.2" || nevra.Arch != "x86_64" {
		t.Errorf("NEVRA = %+v, %v", nevra, err)
	}
	files, err := rpm.Header.GetFiles()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]rpmutils.FileInfo{}
	for _, fi := range files {
		if fi.Mode()&0o170000 == 0o100000 {
			got[fi.Name()] = fi
		}
	}
	if len(got) != 2 {
		t.Errorf("regular files %v, want %s and %s", keys(got), binPath, dropInPath)
	}
	if fi, ok := got[binPath]; !ok || fi.Mode()&0o777 != 0o755 || fi.Flags()&rpmutils.RPMFILE_CONFIG != 0 {
		t.Errorf("%s: %+v, want mode 0755, not a configuration file", binPath, fi)
	}
	const config = rpmutils.RPMFILE_CONFIG | rpmutils.RPMFILE_NOREPLACE
	if fi, ok := got[dropInPath]; !ok || fi.Mode()&0o777 != 0o644 || fi.Flags()&config != config {
		t.Errorf("%s: %+v, want mode 0644, %%config(noreplace)", dropInPath, fi)
	}

	payload, err := rpm.PayloadReader()
	if err != nil {
		t.Fatal(err)
	}
	for {
		h, err := payload.Next()
		if err == io.EOF {
			t.Fatalf("the payload has no %s", dropInPath)
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimPrefix(h.Filename(), ".") != dropInPath {
			continue
		}
		content, err := io.ReadAll(payload)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(string(dropIn), "EnvironmentFile=-/etc/default/kubelet\n", "EnvironmentFile=-/etc/sysconfig/kubelet\n", 1)
		if string(content) != want || strings.Contains(string(content), "EnvironmentFile=-/etc/default/kubelet") {
			t.Errorf("the RPM's drop-in:\n%s\nwant:\n%s", content, want)
		}
		return
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestBuildRefusesAnotherDropIn: a drop-in that does not read
// /etc/default/kubelet once cannot be turned into the RPM's, and nothing is
// written.
func TestBuildRefusesAnotherDropIn(t *testing.T) {
	dir := t.TempDir()
	dropIn := filepath.Join(dir, "10-kubeadm.conf")
	if err := os.WriteFile(dropIn, []byte("[Service]\nExecStart=/usr/bin/kubelet\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	_, err := build(params{config: "../nfpm.yaml", dropIn: dropIn, binary: dropIn, version: version, out: out}, []string{"deb", "rpm"})
	if err == nil || !strings.Contains(err.Error(), "does not read /etc/default/kubelet exactly once") {
		t.Fatalf("build = %v", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("wrote %v", entries)
	}
}
