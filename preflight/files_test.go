package preflight

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestFileChecks(t *testing.T) {
	t.Parallel()
	root := fstest.MapFS{
		"etc/kubernetes/manifests/etcd.yaml":        {Data: []byte("x")},
		"var/lib/etcd/member":                       {Mode: fs.ModeDir},
		"srv/empty":                                 {Mode: fs.ModeDir},
		"proc/sys/net/ipv4/ip_forward":              {Data: []byte("0\n")},
		"proc/sys/net/ipv6/conf/default/forwarding": {Data: []byte("1\n")},
	}
	runCases(t, []checkCase{
		{name: "file available", check: FileAvailable{Path: "/etc/kubernetes/manifests/kube-apiserver.yaml", Root: root},
			wantName: "FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml"},
		{name: "file taken", check: FileAvailable{Path: "/etc/kubernetes/manifests/etcd.yaml", Root: root},
			wantName: "FileAvailable--etc-kubernetes-manifests-etcd.yaml", errs: []string{"/etc/kubernetes/manifests/etcd.yaml already exists"}},
		{name: "file available label", check: FileAvailable{Path: "/tmp/x", Label: "Mine", Root: root}, wantName: "Mine"},
		{name: "file existing", check: FileExisting{Path: "/etc/kubernetes/manifests/etcd.yaml", Label: "ExternalEtcdClientCertificates", Root: root},
			wantName: "ExternalEtcdClientCertificates"},
		{name: "file missing", check: FileExisting{Path: "/etc/etcd/ca.crt", Root: root},
			wantName: "FileExisting--etc-etcd-ca.crt", errs: []string{"/etc/etcd/ca.crt doesn't exist"}},
		{name: "dir missing", check: DirAvailable{Path: "/var/lib/other", Root: root}, wantName: "DirAvailable--var-lib-other"},
		{name: "dir empty", check: DirAvailable{Path: "/srv/empty", Root: root}, wantName: "DirAvailable--srv-empty"},
		{name: "dir not empty", check: DirAvailable{Path: "/var/lib/etcd", Root: root},
			wantName: "DirAvailable--var-lib-etcd", errs: []string{"/var/lib/etcd is not empty"}},
		{name: "dir is a file", check: DirAvailable{Path: "/etc/kubernetes/manifests/etcd.yaml", Root: root},
			wantName: "DirAvailable--etc-kubernetes-manifests-etcd.yaml", errs: []string{"unable to check if /etc/kubernetes/manifests/etcd.yaml is empty"}},
		{name: "content matches", check: FileContent{Path: "/proc/sys/net/ipv6/conf/default/forwarding", Content: []byte("1"), Root: root},
			wantName: "FileContent--proc-sys-net-ipv6-conf-default-forwarding"},
		{name: "content differs", check: FileContent{Path: "/proc/sys/net/ipv4/ip_forward", Content: []byte("1"), Root: root},
			wantName: "FileContent--proc-sys-net-ipv4-ip_forward", errs: []string{"/proc/sys/net/ipv4/ip_forward contents are not set to 1"}},
		{name: "content file missing", check: FileContent{Path: "/proc/sys/missing", Content: []byte("1"), Root: root},
			wantName: "FileContent--proc-sys-missing", errs: []string{"/proc/sys/missing does not exist"}},
	})
}
