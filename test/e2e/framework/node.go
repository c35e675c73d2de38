package framework

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// criSocket is where each host's containerd listens: the socket kadm and kubeadm
// look for first.
const criSocket = "/run/containerd/containerd.sock"

// cniBinDir is where Debian's containernetworking-plugins installs the plugins.
const cniBinDir = "/usr/lib/cni"

// PauseImage is the sandbox image of kubeadm v1.37 under the default image
// repository, which containerd must find rather than pull.
const PauseImage = "registry.k8s.io/pause:3.10.2"

// hostFile is a file a host starts with: written into the upper layer of an
// overlay before the host's init mounts it, so the host sees it at path.
type hostFile struct {
	path    string
	content string
	mode    os.FileMode
	// link, when set, makes the file a symbolic link to it.
	link string
}

// hostFiles are what is installed on a fresh host on top of the machine's
// files: its name and address, a resolver that answers nothing, containerd's
// configuration and a bridge CNI network, the kubelet (binary, unit and
// kubeadm's drop-in from packaging/systemd, enabled like containerd), the
// kubelet flags this machine needs, and a modprobe that loads nothing.
func (l *Lab) hostFiles(h *Host) ([]hostFile, error) {
	unit, err := os.ReadFile(filepath.Join(l.UnitDir, "kubelet.service"))
	if err != nil {
		return nil, fmt.Errorf("the kubelet unit: %w", err)
	}
	dropIn, err := os.ReadFile(filepath.Join(l.UnitDir, "kubelet.service.d", "10-kubeadm.conf"))
	if err != nil {
		return nil, fmt.Errorf("kubeadm's kubelet drop-in: %w", err)
	}
	kubelet := filepath.Join(l.BinDir, "kubelet")
	if h.Kubelet != "" {
		kubelet = h.Kubelet
	}
	files := []hostFile{
		{path: "/etc/hostname", content: h.Name + "\n", mode: 0o644},
		{path: "/etc/hosts", content: fmt.Sprintf("127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\t%s\n", h.IP, h.Name), mode: 0o644},
		// The router answers no DNS query: names resolve through /etc/hosts and,
		// in Pods, the cluster DNS; CoreDNS's upstream fails fast.
		{path: "/etc/resolv.conf", content: fmt.Sprintf("# kadm e2e host: no DNS server in the lab\nnameserver %s\noptions timeout:1 attempts:1\n", h.Gateway), mode: 0o644},
		{path: "/etc/containerd/config.toml", content: containerdConfig(), mode: 0o644},
		{path: "/etc/cni/net.d/10-kadm-e2e.conflist", content: cniConfig(l.Name, h), mode: 0o644},
		{path: "/etc/crictl.yaml", content: "runtime-endpoint: unix://" + criSocket + "\nimage-endpoint: unix://" + criSocket + "\n", mode: 0o644},
		{path: "/etc/default/kubelet", content: kubeletExtraArgs(h), mode: 0o644},
		{path: "/usr/lib/systemd/system/kubelet.service", content: string(unit), mode: 0o644},
		{path: "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", content: string(dropIn), mode: 0o644},
		{path: "/etc/systemd/system/multi-user.target.wants/kubelet.service", link: "/usr/lib/systemd/system/kubelet.service"},
		{path: "/usr/bin/kubelet", link: kubelet},
		{path: "/usr/sbin/modprobe", content: "#!/bin/sh\necho \"modprobe $*: a kadm e2e host loads no kernel module\" >&2\nexit 1\n", mode: 0o755},
	}
	if h.Kubelet != "" {
		return files, nil
	}
	files = append(files, hostFile{path: "/etc/systemd/system/multi-user.target.wants/containerd.service", link: "/lib/systemd/system/containerd.service"})
	return files, nil
}

// containerdConfig is each host's containerd 1.6 configuration: its own state
// under the host's /var/lib/containerd and /run/containerd, kubeadm's pause
// image, runc with cgroupfs, the bridge CNI network, and
// restrict_oom_score_adj, without which runc cannot start a container here (the
// machine's root lacks CAP_SYS_RESOURCE, so no process may lower its
// oom_score_adj).
func containerdConfig() string {
	return fmt.Sprintf(`version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = %q

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %q
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %q
    conf_dir = "/etc/cni/net.d"
`, criSocket, PauseImage, cniBinDir)
}

// cniConfig is the host's Pod network: a bridge with host-local addresses from
// the host's Pod range, the bridge being the Pods' gateway. The router routes
// the range to the host, so Pods of different hosts reach each other.
func cniConfig(lab string, h *Host) string {
	gateway := h.Pods.Addr().Next()
	return fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": %q,
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": %q, "gateway": %q}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    }
  ]
}
`, lab, h.Pods.String(), gateway.String())
}

// kubeletExtraArgs is the host's /etc/default/kubelet: what this machine needs
// whatever KubeletConfiguration kadm writes, as an operator would put it there.
// The kubelet's own cgroup root keeps each host's Pods apart (two kubelets
// sharing /kubepods would kill each other's Pods as orphans); cgroup v1 with
// cgroupfs, since there is no systemd; oomScoreAdj 0, since the machine's root
// cannot lower a score.
func kubeletExtraArgs(h *Host) string {
	args := []string{"--cgroup-root=/" + h.Cgroup, "--cgroup-driver=cgroupfs", "--oom-score-adj=0"}
	if !cgroupV2() {
		args = append(args, "--fail-cgroupv1=false")
	}
	return fmt.Sprintf("# kadm e2e host: what this machine needs, whatever kadm configures\nKUBELET_EXTRA_ARGS=%q\n", strings.Join(args, " "))
}

// writeHostFiles writes files into the upper layers under h.Dir.
func writeHostFiles(h *Host, files []hostFile) error {
	for _, f := range files {
		p, err := upperPath(h, f.path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if f.link != "" {
			err = os.Symlink(f.link, p)
		} else {
			err = os.WriteFile(p, []byte(f.content), f.mode)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// upperPath is where a file of an overlaid directory lives in the host's upper
// layer.
func upperPath(h *Host, p string) (string, error) {
	for _, d := range overlayDirs {
		if strings.HasPrefix(p, d+"/") {
			return filepath.Join(overlayUpper(h, d), strings.TrimPrefix(p, d)), nil
		}
	}
	return "", fmt.Errorf("%s is not under an overlaid directory (%s)", p, strings.Join(overlayDirs, ", "))
}

func overlayUpper(h *Host, dir string) string {
	return filepath.Join(h.Dir, "overlay", strings.TrimPrefix(dir, "/"), "upper")
}

func overlayWork(h *Host, dir string) string {
	return filepath.Join(h.Dir, "overlay", strings.TrimPrefix(dir, "/"), "work")
}
