package resetphases

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/cleanup"
	"github.com/kadm-project/kadm/node/etcd"
	"github.com/kadm-project/kadm/node/staticpod"
)

const (
	peerURLsFlag  = "--initial-advertise-peer-urls="
	dataVolume    = "etcd-data"
	etcdCACert    = "etcd/ca.crt"
	etcdCliCert   = "apiserver-etcd-client.crt"
	etcdCliKey    = "apiserver-etcd-client.key"
	otherEndpoint = "https://<another-control-plane-node>:2379"
)

// localEtcd is what this node's etcd manifest says about its member.
type localEtcd struct {
	peerURL string
	dataDir string
}

// readLocalEtcd reads the etcd static Pod manifest; found is false when
// there is none, which means that this node runs no stacked etcd member.
func readLocalEtcd(manifestDir string) (m localEtcd, found bool, err error) {
	path := staticpod.Path(manifestDir, etcd.Name)
	if !exists(path) {
		return localEtcd{}, false, nil
	}
	pod, err := staticpod.Read(path)
	if err != nil {
		return localEtcd{}, true, err
	}
	for _, c := range pod.Spec.Containers {
		if c.Name != etcd.Name {
			continue
		}
		for _, arg := range c.Command {
			if v, ok := strings.CutPrefix(arg, peerURLsFlag); ok {
				m.peerURL, _, _ = strings.Cut(v, ",")
			}
		}
	}
	for _, v := range pod.Spec.Volumes {
		if v.Name == dataVolume && v.HostPath != nil {
			m.dataDir = v.HostPath.Path
		}
	}
	if m.peerURL == "" {
		return m, true, fmt.Errorf("%s: the %s container has no %s flag", path, etcd.Name, strings.TrimSuffix(peerURLsFlag, "="))
	}
	return m, true, nil
}

// etcdDataDir picks the data directory to clean: the cluster's
// configuration, else the manifest's, else etcd's default directory under
// parent (/var/lib/etcd). ok is false with external etcd, whose data is not
// on this host.
func etcdDataDir(cluster *config.ClusterConfiguration, local localEtcd, parent string) (dir, source string, ok bool) {
	switch {
	case cluster != nil && cluster.Etcd.External != nil:
		return "", "", false
	case cluster != nil && cluster.Etcd.Local != nil && cluster.Etcd.Local.DataDir != "":
		return cluster.Etcd.Local.DataDir, "etcd.local.dataDir of the cluster's configuration", true
	case local.dataDir != "":
		return local.dataDir, "the etcd manifest's " + dataVolume + " volume", true
	}
	return filepath.Join(parent, filepath.Base(config.DefaultEtcdDataDir)), "the default etcd data directory", true
}

// runRemoveEtcdMember removes this node's member from the etcd cluster,
// then cleans its data directory. A cluster that cannot be reached does not
// stop the reset: the member must then be removed by hand, and the phase
// prints the commands that do it.
func runRemoveEtcdMember(ctx context.Context, d Data) error {
	local, found, err := readLocalEtcd(d.ManifestDir())
	if err != nil {
		progress.Printf(ctx, "[reset] WARNING: %v\n", err)
	}
	cluster := d.Cluster(ctx)
	dataDir, source, stacked := etcdDataDir(cluster, local, d.EtcdParentDir())
	if !stacked {
		progress.Printf(ctx, "[reset] The cluster uses external etcd: this node has no etcd member or data to remove\n")
		progress.Printf(ctx, "[reset] Please, manually reset etcd to prevent further issues\n")
		return nil
	}
	if !found {
		progress.Printf(ctx, "[reset] No etcd manifest at %s: this node runs no stacked etcd member\n", staticpod.Path(d.ManifestDir(), etcd.Name))
	}
	if local.peerURL != "" {
		removeMember(ctx, d, local.peerURL)
	}
	return cleanEtcdData(ctx, d, dataDir, source)
}

// removeMember removes the member at peerURL unless it is the cluster's
// last one, which a reset of the only control-plane node leaves alone.
func removeMember(ctx context.Context, d Data, peerURL string) {
	certDir, _ := d.CertificatesDir(ctx)
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would remove the etcd member %s from the etcd cluster\n", peerURL)
		return
	}
	// A cluster without quorum would keep the removal retrying: reset goes
	// on without it once timeouts.etcdAPICall has passed.
	ctx, cancel := context.WithTimeout(ctx, d.Timeouts().EtcdAPICall.Duration)
	defer cancel()
	cluster, err := d.Etcd(ctx, certDir)
	if err != nil {
		manualRemoval(ctx, d, peerURL, certDir, nil, err)
		return
	}
	defer cluster.Close()
	members, err := cluster.Members(ctx)
	if err != nil {
		manualRemoval(ctx, d, peerURL, certDir, cluster.Endpoints(), err)
		return
	}
	if len(members) == 1 && slices.Contains(members[0].PeerURLs, peerURL) {
		progress.Printf(ctx, "[reset] This is the only member of the etcd cluster: not removing it\n")
		return
	}
	removed, err := cluster.Remove(ctx, peerURL)
	switch {
	case err != nil:
		manualRemoval(ctx, d, peerURL, certDir, cluster.Endpoints(), err)
	case removed:
		progress.Printf(ctx, "[reset] Removed the etcd member %s from the etcd cluster\n", peerURL)
	default:
		progress.Printf(ctx, "[reset] The etcd member %s is not in the etcd cluster (removed already)\n", peerURL)
	}
}

// manualRemoval says that the member is still in the cluster and how to
// take it out from another control-plane node.
func manualRemoval(ctx context.Context, d Data, peerURL, certDir string, endpoints []string, cause error) {
	endpoint := otherEndpoint
	if i := slices.IndexFunc(endpoints, func(ep string) bool { return host(ep) != host(peerURL) }); i >= 0 {
		endpoint = endpoints[i]
	}
	etcdctl := fmt.Sprintf("etcdctl --endpoints=%s --cacert=%s --cert=%s --key=%s",
		endpoint, filepath.Join(certDir, etcdCACert), filepath.Join(certDir, etcdCliCert), filepath.Join(certDir, etcdCliKey))
	progress.Printf(ctx, "[reset] WARNING: could not remove the etcd member %s: %v\n", peerURL, cause)
	progress.Printf(ctx, "[reset] The member is still in the etcd cluster. Remove it by hand on another control-plane node:\n")
	progress.Printf(ctx, "\t%s member list\n", etcdctl)
	progress.Printf(ctx, "\t%s member remove <ID of the member with peer URL %s>\n", etcdctl, peerURL)
}

// host is the host name of a URL, empty when it does not parse.
func host(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// cleanEtcdData deletes the contents of the etcd data directory, which must
// lie inside EtcdParentDir.
func cleanEtcdData(ctx context.Context, d Data, dir, source string) error {
	if err := cleanup.Check(dir, d.EtcdParentDir()); err != nil {
		return fmt.Errorf("refusing to clean the etcd data directory from %s: %w; nothing was deleted from it, clean it by hand", source, err)
	}
	if !exists(dir) {
		return nil
	}
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would delete contents of the etcd data directory: %s\n", dir)
		return nil
	}
	if err := cleanup.Remove(cleanup.Target{Path: dir, Contents: true}); err != nil {
		return fmt.Errorf("delete the contents of the etcd data directory %s: %w", dir, err)
	}
	progress.Printf(ctx, "[reset] Deleted contents of the etcd data directory: %s\n", dir)
	return nil
}
