package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb"
	_ "github.com/goreleaser/nfpm/v2/rpm"
)

// params are what a build is made from.
type params struct {
	config, dropIn, binary, version, out string
}

// The files the kubelet's extra flags come from; the drop-in names the
// Debian one.
const (
	debianKubeletEnv = "/etc/default/kubelet"
	rpmKubeletEnv    = "/etc/sysconfig/kubelet"
)

// build writes one package for each format into p.out and returns their
// paths. Each is written to a temporary file and renamed, so that a failed
// build leaves no partial package.
func build(p params, formats []string) ([]string, error) {
	dropIn, err := os.ReadFile(p.dropIn)
	if err != nil {
		return nil, err
	}
	line := []byte("EnvironmentFile=-" + debianKubeletEnv + "\n")
	if bytes.Count(dropIn, line) != 1 {
		return nil, fmt.Errorf("%s does not read %s exactly once (%q), which the RPM's drop-in replaces with %s", p.dropIn, debianKubeletEnv, line, rpmKubeletEnv)
	}
	tmp, err := os.MkdirTemp("", "kadm-package-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	rpmDropIn := filepath.Join(tmp, "10-kubeadm.conf")
	if err := os.WriteFile(rpmDropIn, bytes.Replace(dropIn, line, []byte("EnvironmentFile=-"+rpmKubeletEnv+"\n"), 1), 0o644); err != nil {
		return nil, err
	}
	env := map[string]string{
		"KADM_VERSION":    strings.TrimPrefix(p.version, "v"),
		"KADM_BINARY":     abs(p.binary),
		"KADM_DROPIN_DEB": abs(p.dropIn),
		"KADM_DROPIN_RPM": rpmDropIn,
	}
	cfg, err := nfpm.ParseFileWithEnvMapping(p.config, func(name string) string { return env[name] })
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p.config, err)
	}
	var paths []string
	for _, format := range formats {
		path, err := write(&cfg, format, p.out)
		if err != nil {
			return nil, fmt.Errorf("build the %s: %w", format, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// write builds the package of one format into dir.
func write(cfg *nfpm.Config, format, dir string) (string, error) {
	info, err := cfg.Get(format)
	if err != nil {
		return "", err
	}
	info = nfpm.WithDefaults(info)
	if err := nfpm.Validate(info); err != nil {
		return "", err
	}
	pkg, err := nfpm.Get(format)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, pkg.ConventionalFileName(info))
	f, err := os.CreateTemp(dir, ".kadm-package-")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	info.Target = path
	if err := pkg.Package(info, f); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(f.Name(), path)
}

func abs(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
}
