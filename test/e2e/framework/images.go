package framework

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ProbeImage is the suite's test image: the tools module's probe program, which
// resolves the API server's Service name through the cluster DNS and asks the
// API server for its version at the address it found.
const ProbeImage = "kadm-e2e.test/probe:v1"

// imageFormat changes whenever BuildImages lays images out differently, so that
// cached archives are rebuilt.
const imageFormat = "kadm-e2e-images/1"

// imageEpoch is the modification time of every file in the images, so the same
// binaries give the same layers.
var imageEpoch = time.Unix(0, 0)

// image is one single-layer image: its name and the files of its layer.
type image struct {
	ref        string
	entrypoint []string
	files      []imageFile
}

// imageFile is one entry of a layer: a copy of a machine file, a symlink or
// literal content.
type imageFile struct {
	path string
	src  string
	link string
	data []byte
	mode fs.FileMode
}

// iptablesNames are the names kube-proxy runs iptables by; in its image each is
// the machine's nf_tables flavour of iptables.
var iptablesNames = []string{"iptables", "iptables-save", "iptables-restore", "ip6tables", "ip6tables-save", "ip6tables-restore"}

// The machine programs kube-proxy's image carries so that kube-proxy can
// program the host's rules, and where iptables finds its extensions.
const (
	xtablesMulti  = "/usr/sbin/xtables-nft-multi"
	nftBinary     = "/usr/sbin/nft"
	xtablesLibDir = "/usr/lib/x86_64-linux-gnu/xtables"
)

// BuildImages writes, into binDir, a `docker save` archive of every image a
// host's containerd needs, named exactly as kubeadm v1.37.2's configuration asks
// for them (`kubeadm config images list`), plus ProbeImage, and returns its
// path. An archive built from the same inputs is reused.
func BuildImages(ctx context.Context, binDir string) (string, error) {
	images, err := imageSpecs(ctx, binDir, KubernetesVersion, binDir)
	if err != nil {
		return "", err
	}
	images = append(images, image{ref: ProbeImage, entrypoint: []string{"/probe"},
		files: append(baseFiles(), imageFile{path: "probe", src: filepath.Join(binDir, "probe"), mode: 0o755})})
	return buildArchive(binDir, images)
}

// BuildReleaseImages writes, into releaseDir, the archive of the images the
// kubeadm in releaseDir lists for version, made of releaseDir's binaries (the
// upgrade tests' previous release, see PreviousBinDir), and returns its path.
// The pause program, the same in every release, comes from pauseDir, the
// lab's BinDir. An archive built from the same inputs is reused.
func BuildReleaseImages(ctx context.Context, releaseDir, version, pauseDir string) (string, error) {
	images, err := imageSpecs(ctx, releaseDir, version, pauseDir)
	if err != nil {
		return "", err
	}
	return buildArchive(releaseDir, images)
}

// buildArchive writes images into dir unless an archive of the same inputs is
// there, and removes the archives of other inputs.
func buildArchive(dir string, images []image) (string, error) {
	key := sha256.New()
	fmt.Fprintln(key, imageFormat)
	for _, img := range images {
		fmt.Fprintln(key, img.ref, img.entrypoint)
		for _, f := range img.files {
			fmt.Fprintln(key, f.path, f.link, f.mode, string(f.data))
			if f.src != "" {
				fi, err := os.Stat(f.src)
				if err != nil {
					return "", err
				}
				fmt.Fprintln(key, f.src, fi.Size(), fi.ModTime().UnixNano())
			}
		}
	}
	sum := hex.EncodeToString(key.Sum(nil))[:16]
	archive := filepath.Join(dir, "images-"+sum+".tar")
	if _, err := os.Stat(archive); err == nil {
		return archive, nil
	}
	old, _ := filepath.Glob(filepath.Join(dir, "images-*.tar"))
	tmp := archive + ".tmp"
	if err := writeImageArchive(tmp, images); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := os.Rename(tmp, archive); err != nil {
		return "", err
	}
	for _, o := range old {
		os.Remove(o)
	}
	return archive, nil
}

// baseFiles are in every image but pause's: the users, groups and name
// service configuration a static binary may look up, and /tmp.
func baseFiles() []imageFile {
	return []imageFile{
		{path: "etc/passwd", data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"), mode: 0o644},
		{path: "etc/group", data: []byte("root:x:0:\nnogroup:x:65534:\n"), mode: 0o644},
		{path: "etc/nsswitch.conf", data: []byte("hosts: files dns\n"), mode: 0o644},
		{path: "tmp", mode: fs.ModeDir | fs.ModeSticky | 0o777},
	}
}

// imageSpecs lays out each image that binDir's kubeadm lists for version, from
// binDir's binaries and pauseDir's pause.
func imageSpecs(ctx context.Context, binDir, version, pauseDir string) ([]image, error) {
	out, err := exec.CommandContext(ctx, filepath.Join(binDir, "kubeadm"), "config", "images", "list", "--kubernetes-version", version).Output()
	if err != nil {
		return nil, fmt.Errorf("kubeadm config images list: %w", err)
	}
	binary := func(name, at string) imageFile {
		return imageFile{path: at, src: filepath.Join(binDir, name), mode: 0o755}
	}
	var images []image
	for _, ref := range strings.Fields(string(out)) {
		repo, _, _ := strings.Cut(ref[strings.LastIndex(ref, "/")+1:], ":")
		img := image{ref: ref}
		switch repo {
		case "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd":
			img.entrypoint = []string{"/usr/local/bin/" + repo}
			img.files = append(baseFiles(), binary(repo, img.entrypoint[0][1:]))
		case "kube-proxy":
			img.entrypoint = []string{"/usr/local/bin/kube-proxy"}
			tools, err := ruleTools(ctx)
			if err != nil {
				return nil, err
			}
			img.files = append(append(baseFiles(), binary(repo, "usr/local/bin/kube-proxy")), tools...)
		case "coredns":
			img.entrypoint = []string{"/coredns"}
			img.files = append(baseFiles(), binary("coredns", "coredns"))
		case "pause":
			img.entrypoint = []string{"/pause"}
			img.files = []imageFile{{path: "pause", src: filepath.Join(pauseDir, "pause"), mode: 0o755}}
		default:
			return nil, fmt.Errorf("kubeadm lists image %s, which the e2e suite cannot build", ref)
		}
		images = append(images, img)
	}
	return images, nil
}

// ruleTools are iptables and nft from the machine's packages, with every
// library ldd lists for them and the iptables extensions, at the machine's
// paths (symlinks included, so /lib and /lib64 resolve as on the machine).
func ruleTools(ctx context.Context) ([]imageFile, error) {
	for _, p := range []string{xtablesMulti, nftBinary, xtablesLibDir} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("kube-proxy's image needs %s from the machine: install the iptables and nftables packages (apt-get install iptables nftables): %w", p, err)
		}
	}
	exts, err := filepath.Glob(filepath.Join(xtablesLibDir, "*.so"))
	if err != nil {
		return nil, err
	}
	programs := []string{xtablesMulti, nftBinary}
	out, err := exec.CommandContext(ctx, "ldd", append(programs, exts...)...).Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %w", xtablesMulti, err)
	}
	paths := append(slices.Clone(programs), exts...)
	for _, line := range strings.Split(string(out), "\n") {
		for _, f := range strings.Fields(line) {
			if strings.HasPrefix(f, "/") && !strings.HasSuffix(f, ":") {
				paths = append(paths, f)
			}
		}
	}
	var files []imageFile
	seen := map[string]bool{}
	for _, p := range paths {
		entries, err := machinePath(p)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !seen[e.path] {
				seen[e.path] = true
				files = append(files, e)
			}
		}
	}
	for _, name := range iptablesNames {
		files = append(files, imageFile{path: "usr/sbin/" + name, link: "xtables-nft-multi"})
	}
	if _, err := os.Stat("/etc/protocols"); err == nil {
		files = append(files, imageFile{path: "etc/protocols", src: "/etc/protocols", mode: 0o644})
	}
	return files, nil
}

// machinePath returns the layer entries that reproduce p as the machine
// resolves it: each symlink on the way, then the file.
func machinePath(p string) ([]imageFile, error) {
	var out []imageFile
	for range 32 {
		parts := strings.Split(strings.TrimPrefix(filepath.Clean(p), "/"), "/")
		resolved := "/"
		link := false
		for i, part := range parts {
			next := filepath.Join(resolved, part)
			fi, err := os.Lstat(next)
			if err != nil {
				return nil, err
			}
			if fi.Mode()&fs.ModeSymlink == 0 {
				resolved = next
				continue
			}
			target, err := os.Readlink(next)
			if err != nil {
				return nil, err
			}
			out = append(out, imageFile{path: next[1:], link: target})
			if !filepath.IsAbs(target) {
				target = filepath.Join(resolved, target)
			}
			p = filepath.Join(append([]string{target}, parts[i+1:]...)...)
			link = true
			break
		}
		if !link {
			fi, err := os.Stat(resolved)
			if err != nil {
				return nil, err
			}
			return append(out, imageFile{path: resolved[1:], src: resolved, mode: fi.Mode().Perm()}), nil
		}
	}
	return nil, fmt.Errorf("%s: too many levels of symbolic links", p)
}

// writeImageArchive writes the images in `docker save` format: per image a
// config and one uncompressed layer, and manifest.json naming them.
func writeImageArchive(file string, images []image) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	type manifestEntry struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	var manifest []manifestEntry
	for _, img := range images {
		layer, diffID, err := writeLayer(filepath.Dir(file), img.files)
		if err != nil {
			return fmt.Errorf("image %s: %w", img.ref, err)
		}
		layerName := diffID + "/layer.tar"
		err = addFile(tw, layerName, layer)
		os.Remove(layer)
		if err != nil {
			return err
		}
		config, err := json.Marshal(map[string]any{
			"architecture": "amd64",
			"os":           "linux",
			"created":      imageEpoch.UTC().Format(time.RFC3339),
			"config": map[string]any{
				"Env":        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
				"Entrypoint": img.entrypoint,
				"WorkingDir": "/",
			},
			"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + diffID}},
		})
		if err != nil {
			return err
		}
		sum := sha256.Sum256(config)
		configName := hex.EncodeToString(sum[:]) + ".json"
		if err := addBytes(tw, configName, config); err != nil {
			return err
		}
		manifest = append(manifest, manifestEntry{Config: configName, RepoTags: []string{img.ref}, Layers: []string{layerName}})
	}
	b, err := json.Marshal(manifest)
	if err != nil {
		return err
	}
	if err := addBytes(tw, "manifest.json", b); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// writeLayer writes the layer tar of files into a temporary file in dir and
// returns it with its digest (the image's diff ID).
func writeLayer(dir string, files []imageFile) (string, string, error) {
	f, err := os.CreateTemp(dir, ".layer-*")
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	h := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(f, h))
	dirs := map[string]bool{}
	var addDirs func(p string) error
	addDirs = func(p string) error {
		parent := path.Dir(p)
		if parent == "." || dirs[parent] {
			return nil
		}
		if err := addDirs(parent); err != nil {
			return err
		}
		dirs[parent] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: parent + "/", Mode: 0o755, ModTime: imageEpoch})
	}
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b imageFile) int { return strings.Compare(a.path, b.path) })
	for _, file := range sorted {
		if err := addDirs(file.path); err != nil {
			return "", "", err
		}
		hdr := &tar.Header{Name: file.path, Mode: int64(file.mode.Perm()), ModTime: imageEpoch}
		switch {
		case file.mode.IsDir():
			hdr.Typeflag, hdr.Name = tar.TypeDir, file.path+"/"
			if file.mode&fs.ModeSticky != 0 {
				hdr.Mode |= 0o1000
			}
			dirs[file.path] = true
			err = tw.WriteHeader(hdr)
		case file.link != "":
			hdr.Typeflag, hdr.Linkname, hdr.Mode = tar.TypeSymlink, file.link, 0o777
			err = tw.WriteHeader(hdr)
		case file.src != "":
			err = copyInto(tw, hdr, file.src)
		default:
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(file.data))
			if err = tw.WriteHeader(hdr); err == nil {
				_, err = tw.Write(file.data)
			}
		}
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", file.path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return "", "", err
	}
	if err := f.Close(); err != nil {
		return "", "", err
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), nil
}

func copyInto(tw *tar.Writer, hdr *tar.Header, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	hdr.Typeflag, hdr.Size = tar.TypeReg, fi.Size()
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = io.Copy(tw, in)
	return err
}

func addFile(tw *tar.Writer, name, src string) error {
	return copyInto(tw, &tar.Header{Name: name, Mode: 0o644, ModTime: imageEpoch}, src)
}

func addBytes(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: imageEpoch}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}
