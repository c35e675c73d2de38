package upgradephases

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/version"

	"github.com/kadm-project/kadm/cluster/upgradeplan"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/etcd"
	"github.com/kadm-project/kadm/node/rollout"
	"github.com/kadm-project/kadm/node/staticpod"
)

const etcdName = etcd.Name

// etcdPod is the new etcd member's Pod. It keeps the --initial-cluster of the running
// member's manifest: etcd reads it only when it bootstraps, but a manifest that names
// the members the member was made with stays true to it.
func etcdPod(d Data) (*corev1.Pod, error) {
	cluster, node := d.Cluster(), d.Node()
	in := etcd.ManifestInput{
		Cluster:            cluster,
		NodeName:           node.Name,
		Endpoint:           node.Endpoint,
		CertificateDir:     cluster.CertificatesDir,
		HealthCheckTimeout: d.Cfg().Timeouts.ControlPlaneComponentHealthCheck.Duration,
	}
	if current, err := staticpod.Read(staticpod.Path(d.ManifestDir(), etcdName)); err == nil {
		in.InitialCluster = existingMembers(current)
	}
	pod, err := etcd.Pod(in)
	if err != nil {
		return nil, fmt.Errorf("error creating local etcd static pod manifest file: %w", err)
	}
	return pod, nil
}

// existingMembers is the --initial-cluster of a member that joined an existing cluster
// (--initial-cluster-state=existing); nil for the member that started the cluster.
func existingMembers(pod *corev1.Pod) []etcd.Member {
	if len(pod.Spec.Containers) == 0 {
		return nil
	}
	var initial, state string
	for _, arg := range pod.Spec.Containers[0].Command {
		if v, ok := strings.CutPrefix(arg, "--initial-cluster="); ok {
			initial = v
		}
		if v, ok := strings.CutPrefix(arg, "--initial-cluster-state="); ok {
			state = v
		}
	}
	if state != "existing" || initial == "" {
		return nil
	}
	var members []etcd.Member
	for m := range strings.SplitSeq(initial, ",") {
		name, peerURL, ok := strings.Cut(m, "=")
		if !ok {
			return nil
		}
		members = append(members, etcd.Member{Name: name, PeerURL: peerURL})
	}
	return members
}

// upgradeEtcd checks the etcd cluster is healthy, backs up this member's data, replaces
// its Pod and waits for the cluster to be available again. A member whose new Pod does
// not come up is rolled back to its old manifest, and, when the old one does not come back
// either, to its backed-up data.
func upgradeEtcd(ctx context.Context, d Data, m *rollout.Manifests, pod *corev1.Pod) error {
	cluster := d.Cluster()
	if skip, err := etcdDowngrade(d.ManifestDir(), pod); err != nil || skip != "" {
		if skip != "" {
			progress.Printf(ctx, "[upgrade/etcd] Non fatal issue encountered during upgrade: %s\n", skip)
		}
		return err
	}
	if unchanged(d.ManifestDir(), pod) && !d.RenewCerts() {
		_, err := m.Replace(ctx, pod, nil)
		return err
	}
	apiTimeout := d.Cfg().Timeouts.EtcdAPICall.Duration
	c, err := d.Etcd(ctx)
	if err != nil {
		return fmt.Errorf("failed to create etcd client: %w", err)
	}
	defer c.Close()
	progress.Printf(ctx, "[upgrade/etcd] Checking that the etcd cluster is healthy\n")
	hctx, cancel := context.WithTimeout(ctx, apiTimeout)
	err = c.CheckHealth(hctx)
	cancel()
	if err != nil {
		return fmt.Errorf("%w; nothing was changed", err)
	}
	dataDir := cluster.Etcd.Local.DataDir
	backupDir, err := rollout.NewBackupDir(d.KubernetesDir(), rollout.EtcdBackup, time.Now())
	if err != nil {
		return err
	}
	backup := filepath.Join(backupDir, "etcd")
	progress.Printf(ctx, "[upgrade/etcd] Backing up the etcd data directory %q to %q\n", dataDir, backup)
	if err := rollout.CopyTree(dataDir, backup); err != nil {
		return fmt.Errorf("failed to back up etcd data: %w", err)
	}
	outcome, err := m.Replace(ctx, pod, renewFor(ctx, d, etcdName))
	var rb *rollout.RolledBackError
	if errors.As(err, &rb) && rb.Recovered != nil {
		return restoreEtcdData(ctx, d, m, backup, err)
	}
	if err != nil {
		return fmt.Errorf("fatal error when trying to upgrade the etcd cluster, rolled the state back to pre-upgrade state: %w", err)
	}
	if outcome == rollout.Unchanged {
		return nil
	}
	progress.Printf(ctx, "[upgrade/etcd] Waiting for etcd to become available\n")
	wctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	if err := c.WaitAvailable(wctx); err != nil {
		return fmt.Errorf("the upgraded etcd member runs, but the etcd cluster did not become available: %w; the previous manifest is at %s and the data at %s",
			err, filepath.Join(m.BackupDir(), etcdName+".yaml"), backup)
	}
	return nil
}

// restoreEtcdData puts the backed-up data back under the old manifest, which did not
// bring the member back alone, and waits for it.
func restoreEtcdData(ctx context.Context, d Data, m *rollout.Manifests, backup string, cause error) error {
	dataDir := d.Cluster().Etcd.Local.DataDir
	progress.Printf(ctx, "[upgrade/etcd] Rolling back etcd data\n")
	if err := rollout.ReplaceTree(backup, dataDir); err != nil {
		return fmt.Errorf("%w; restoring the etcd data failed too: %v; the backup of etcd database is stored here: %s", cause, err, backup)
	}
	progress.Printf(ctx, "[upgrade/etcd] Etcd data rollback successful\n")
	c, err := d.Etcd(ctx)
	if err != nil {
		return fmt.Errorf("%w; the etcd data was restored from %s, but no etcd client could be made: %v", cause, backup, err)
	}
	defer c.Close()
	wctx, cancel := context.WithTimeout(ctx, d.Cfg().Timeouts.EtcdAPICall.Duration)
	defer cancel()
	if err := c.WaitAvailable(wctx); err != nil {
		return fmt.Errorf("%w; the etcd data was restored from %s, but etcd is still not available: %v", cause, backup, err)
	}
	return fmt.Errorf("%w; the etcd data was restored from %s and etcd is available again", cause, backup)
}

// etcdDowngrade refuses to replace an etcd with an older one, which cannot read what the
// newer one wrote: the reason to skip, empty when the upgrade may go on.
func etcdDowngrade(manifestDir string, want *corev1.Pod) (string, error) {
	current, err := staticpod.Read(staticpod.Path(manifestDir, etcdName))
	if err != nil {
		return "", fmt.Errorf("failed to retrieve the current etcd version: %w", err)
	}
	if len(current.Spec.Containers) == 0 || len(want.Spec.Containers) == 0 {
		return "", fmt.Errorf("the etcd manifest %s has no container", staticpod.Path(manifestDir, etcdName))
	}
	have, err := version.ParseSemantic(upgradeplan.ImageVersion(current.Spec.Containers[0].Image))
	if err != nil {
		return "", nil
	}
	next, err := version.ParseSemantic(upgradeplan.ImageVersion(want.Spec.Containers[0].Image))
	if err != nil {
		return "", fmt.Errorf("failed to parse tag %q as a semantic version", upgradeplan.ImageVersion(want.Spec.Containers[0].Image))
	}
	if next.LessThan(have) {
		return fmt.Sprintf("the desired etcd version %q is older than the currently installed %q. Skipping etcd upgrade", next, have), nil
	}
	return "", nil
}

// unchanged is true when the manifest in dir already describes want.
func unchanged(dir string, want *corev1.Pod) bool {
	current, err := staticpod.Read(staticpod.Path(dir, want.Name))
	return err == nil && staticpod.Equal(current, want)
}
