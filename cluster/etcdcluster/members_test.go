package etcdcluster

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/node/etcd"
)

func TestInitialCluster(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		all     []Member
		self    string
		peerURL string
		want    []etcd.Member
	}{
		{
			name: "the new member gets its name, sorted by name",
			all: []Member{
				{ID: 0x1, Name: "cp2", PeerURLs: []string{"https://10.0.0.2:2380"}, ClientURLs: []string{"https://10.0.0.2:2379"}},
				{ID: 0x2, PeerURLs: []string{"https://10.0.0.3:2380"}, IsLearner: true},
				{ID: 0x3, Name: "cp1", PeerURLs: []string{"https://10.0.0.1:2380", "https://10.0.1.1:2380"}},
			},
			self:    "cp0",
			peerURL: "https://10.0.0.3:2380",
			want: []etcd.Member{
				{Name: "cp0", PeerURL: "https://10.0.0.3:2380"},
				{Name: "cp1", PeerURL: "https://10.0.0.1:2380"},
				{Name: "cp2", PeerURL: "https://10.0.0.2:2380"},
			},
		},
		{
			name: "a rerun after the member started keeps its name",
			all: []Member{
				{ID: 0x1, Name: "cp1", PeerURLs: []string{"https://10.0.0.1:2380"}},
				{ID: 0x2, Name: "cp2", PeerURLs: []string{"https://10.0.0.2:2380"}},
			},
			self:    "cp2",
			peerURL: "https://10.0.0.2:2380",
			want: []etcd.Member{
				{Name: "cp1", PeerURL: "https://10.0.0.1:2380"},
				{Name: "cp2", PeerURL: "https://10.0.0.2:2380"},
			},
		},
		{
			name: "another unnamed member is listed under its ID",
			all: []Member{
				{ID: 0x1, Name: "cp1", PeerURLs: []string{"https://10.0.0.1:2380"}},
				{ID: 0xabc, PeerURLs: []string{"https://10.0.0.4:2380"}, IsLearner: true},
				{ID: 0x2, PeerURLs: []string{"https://10.0.0.2:2380"}, IsLearner: true},
				{ID: 0x5},
			},
			self:    "cp2",
			peerURL: "https://10.0.0.2:2380",
			want: []etcd.Member{
				{Name: "abc", PeerURL: "https://10.0.0.4:2380"},
				{Name: "cp1", PeerURL: "https://10.0.0.1:2380"},
				{Name: "cp2", PeerURL: "https://10.0.0.2:2380"},
			},
		},
		{
			name: "empty",
			want: []etcd.Member{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := InitialCluster(tt.all, tt.self, tt.peerURL)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("InitialCluster() (-want +got):\n%s", diff)
			}
		})
	}
}
