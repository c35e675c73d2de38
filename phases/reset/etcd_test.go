package resetphases

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/etcdcluster"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/cleanup"
)

const (
	selfPeer  = "https://10.0.0.1:2380"
	otherPeer = "https://10.0.0.2:2380"
)

func twoMembers() *fakeEtcd {
	return &fakeEtcd{members: []etcdcluster.Member{
		{ID: 1, Name: "node1", PeerURLs: []string{selfPeer}},
		{ID: 2, Name: "node2", PeerURLs: []string{otherPeer}},
	}}
}

func TestRemoveEtcdMember(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		etcd        *fakeEtcd
		etcdErr     error
		wantMembers int
		wantOut     []string
	}{
		{"removes this member", twoMembers(), nil, 1, []string{"Removed the etcd member " + selfPeer}},
		{"keeps the last member", &fakeEtcd{members: []etcdcluster.Member{{ID: 1, PeerURLs: []string{selfPeer}}}}, nil, 1,
			[]string{"only member of the etcd cluster"}},
		{"removed already", &fakeEtcd{members: []etcdcluster.Member{{ID: 2, PeerURLs: []string{otherPeer}}}}, nil, 1,
			[]string{"not in the etcd cluster"}},
		{"remove fails", &fakeEtcd{members: twoMembers().members, removeErr: errUnreachable}, nil, 2,
			[]string{"etcdctl --endpoints=https://10.0.0.2:2379 ", "member remove <ID of the member with peer URL " + selfPeer + ">"}},
		{"a removal that never ends is given up after timeouts.etcdAPICall", &fakeEtcd{members: twoMembers().members, hang: true}, nil, 2,
			[]string{"could not remove the etcd member " + selfPeer + ": context deadline exceeded", "member remove"}},
		{"cluster unreachable", twoMembers(), errUnreachable, 2,
			[]string{"could not remove the etcd member " + selfPeer + ": connection refused",
				"etcdctl --endpoints=https://<another-control-plane-node>:2379 --cacert=", "/pki/etcd/ca.crt --cert=", "member list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeData(t)
			dataDir := filepath.Join(d.EtcdParentDir(), "etcd")
			write(t, filepath.Join(dataDir, "member/snap/db"), "data")
			writeEtcdManifest(t, d, selfPeer, dataDir)
			d.etcd, d.etcdErr = tt.etcd, tt.etcdErr
			d.timeouts = config.DefaultResetConfiguration().Timeouts
			d.timeouts.EtcdAPICall.Duration = 100 * time.Millisecond
			out, err := run(t, runRemoveEtcdMember, d)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if len(tt.etcd.members) != tt.wantMembers {
				t.Errorf("%d members left, want %d", len(tt.etcd.members), tt.wantMembers)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if exist(filepath.Join(dataDir, "member")) || !exist(dataDir) {
				t.Errorf("the data directory's contents were not deleted, or the directory itself was")
			}
			if tt.etcdErr == nil && !tt.etcd.closed {
				t.Error("the etcd client was not closed")
			}
		})
	}
}

func TestRemoveEtcdMemberDataDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cluster   func(d *fakeData) *config.ClusterConfiguration
		manifest  bool
		dataDir   func(d *fakeData) string
		wantErr   string
		wantClean bool
	}{
		{
			name:      "from the manifest",
			manifest:  true,
			dataDir:   func(d *fakeData) string { return filepath.Join(d.EtcdParentDir(), "etcd-data") },
			wantClean: true,
		},
		{
			name: "from the cluster",
			cluster: func(d *fakeData) *config.ClusterConfiguration {
				return &config.ClusterConfiguration{Etcd: config.Etcd{Local: &config.LocalEtcd{DataDir: filepath.Join(d.EtcdParentDir(), "custom")}}}
			},
			dataDir:   func(d *fakeData) string { return filepath.Join(d.EtcdParentDir(), "custom") },
			wantClean: true,
		},
		{
			name: "cluster's data dir outside var lib",
			cluster: func(d *fakeData) *config.ClusterConfiguration {
				return &config.ClusterConfiguration{Etcd: config.Etcd{Local: &config.LocalEtcd{DataDir: filepath.Join(d.root, "srv/etcd")}}}
			},
			dataDir: func(d *fakeData) string { return filepath.Join(d.root, "srv/etcd") },
			wantErr: "refusing to clean the etcd data directory from etcd.local.dataDir",
		},
		{
			name: "var lib itself",
			cluster: func(d *fakeData) *config.ClusterConfiguration {
				return &config.ClusterConfiguration{Etcd: config.Etcd{Local: &config.LocalEtcd{DataDir: d.EtcdParentDir()}}}
			},
			dataDir: func(d *fakeData) string { return d.EtcdParentDir() },
			wantErr: "refusing",
		},
		{
			name: "external etcd",
			cluster: func(*fakeData) *config.ClusterConfiguration {
				return &config.ClusterConfiguration{Etcd: config.Etcd{External: &config.ExternalEtcd{Endpoints: []string{"https://e:2379"}}}}
			},
			manifest: true,
			dataDir:  func(d *fakeData) string { return filepath.Join(d.EtcdParentDir(), "etcd") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeData(t)
			d.etcd = twoMembers()
			dir := tt.dataDir(d)
			write(t, filepath.Join(dir, "member/db"), "data")
			if tt.manifest {
				writeEtcdManifest(t, d, selfPeer, dir)
			}
			if tt.cluster != nil {
				d.cluster = tt.cluster(d)
			}
			out, err := run(t, runRemoveEtcdMember, d)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, cleanup.ErrNotOwned) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if cleaned := !exist(filepath.Join(dir, "member/db")); cleaned != tt.wantClean {
				t.Errorf("cleaned %v, want %v\n%s", cleaned, tt.wantClean, out)
			}
		})
	}
}

func TestRemoveEtcdMemberDryRun(t *testing.T) {
	t.Parallel()
	d := newFakeData(t)
	d.dryRun, d.etcd = true, twoMembers()
	dataDir := filepath.Join(d.EtcdParentDir(), "etcd")
	write(t, filepath.Join(dataDir, "member/db"), "data")
	writeEtcdManifest(t, d, selfPeer, dataDir)
	out, err := run(t, runRemoveEtcdMember, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.etcd.members) != 2 || !exist(filepath.Join(dataDir, "member/db")) {
		t.Error("the dry run changed something")
	}
	for _, w := range []string{"[dryrun] Would remove the etcd member " + selfPeer, "[dryrun] Would delete contents of the etcd data directory: " + dataDir} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestRemoveEtcdMemberWorker(t *testing.T) {
	t.Parallel()
	d := newFakeData(t)
	out, err := run(t, runRemoveEtcdMember, d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "this node runs no stacked etcd member") {
		t.Errorf("output:\n%s", out)
	}
}
