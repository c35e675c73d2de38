package joinphases

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/cluster/etcdcluster"
	"github.com/kadm-project/kadm/cluster/noderole"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/etcd"
	"github.com/kadm-project/kadm/node/patches"
	"github.com/kadm-project/kadm/node/staticpod"
	"github.com/kadm-project/kadm/phases"
)

// writeStaticPod applies the patches to pod and writes it to the manifest
// directory, or, on a dry run, prints it and writes it into the dry run's
// directory.
func writeStaticPod(ctx context.Context, d Data, pod *corev1.Pod, set *patches.Set) error {
	pod, err := phases.PatchStaticPod(ctx, pod, set)
	if err != nil {
		return err
	}
	if d.DryRun() {
		data, err := staticpod.Marshal(pod)
		if err != nil {
			return err
		}
		progress.Printf(ctx, "[dryrun] Would write file %q with content:\n%s", staticpod.Path(d.ManifestDir(), pod.Name), data)
		_, _, err = staticpod.Write(d.DryRunPath(d.ManifestDir()), pod)
		return err
	}
	_, _, err = staticpod.Write(d.ManifestDir(), pod)
	return err
}

// stackedEtcd returns the cluster's configuration and whether its etcd is
// stacked on the control-plane nodes; with an external etcd it says so.
func stackedEtcd(ctx context.Context, d Data, phase string) (*config.ClusterConfiguration, bool, error) {
	state, err := d.InitCfg(ctx)
	if err != nil {
		return nil, false, err
	}
	if state.Cluster.Etcd.External != nil {
		progress.Printf(ctx, "[%s] Using external etcd: no local etcd member to check or add\n", phase)
		return state.Cluster, false, nil
	}
	return state.Cluster, true, nil
}

// etcdClient connects to the stacked etcd members, as the API server does.
func etcdClient(ctx context.Context, d Data, cluster *config.ClusterConfiguration) (*etcdcluster.Client, error) {
	client, err := d.Client(ctx)
	if err != nil {
		return nil, err
	}
	ectx, cancel := context.WithTimeout(ctx, d.Cfg().Timeouts.KubernetesAPICall.Duration)
	defer cancel()
	return etcdcluster.Connect(ectx, client, cluster.CertificatesDir)
}

// runCheckEtcd checks that every etcd member answers before this node
// changes the cluster's membership.
func runCheckEtcd(ctx context.Context, d Data) error {
	cluster, local, err := stackedEtcd(ctx, d, "check-etcd")
	if err != nil || !local {
		return err
	}
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would check that the etcd cluster is healthy\n")
		return nil
	}
	progress.Printf(ctx, "[check-etcd] Checking that the etcd cluster is healthy\n")
	c, err := etcdClient(ctx, d, cluster)
	if err != nil {
		return err
	}
	defer c.Close()
	cctx, cancel := context.WithTimeout(ctx, d.Cfg().Timeouts.EtcdAPICall.Duration)
	defer cancel()
	if err := c.CheckHealth(cctx); err != nil {
		return fmt.Errorf("%w; no member was added", err)
	}
	return nil
}

// runEtcdJoin adds this node's etcd as a learner (or finds the member an
// earlier run added), writes its static Pod with the cluster's members,
// promotes it once it has caught up with the leader and waits until the
// cluster answers, all within timeouts.etcdAPICall.
func runEtcdJoin(ctx context.Context, d Data) error {
	cluster, local, err := stackedEtcd(ctx, d, "etcd")
	if err != nil || !local {
		return err
	}
	cfg := d.Cfg()
	name := cfg.NodeRegistration.Name
	peerURL := etcd.PeerURL(cfg.ControlPlane.LocalAPIEndpoint.AdvertiseAddress)
	set, err := d.Patches(ctx)
	if err != nil {
		return err
	}
	in := etcd.ManifestInput{
		Cluster:            cluster,
		NodeName:           name,
		Endpoint:           cfg.ControlPlane.LocalAPIEndpoint,
		CertificateDir:     cluster.CertificatesDir,
		HealthCheckTimeout: cfg.Timeouts.ControlPlaneComponentHealthCheck.Duration,
	}
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would ensure that %q directory is present\n", cluster.Etcd.Local.DataDir)
		progress.Printf(ctx, "[dryrun] Would add etcd member %s as a learner, write its static Pod and promote it\n", peerURL)
		return nil
	}
	c, err := etcdClient(ctx, d, cluster)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeouts.EtcdAPICall.Duration)
	defer cancel()

	self, all, err := c.AddLearner(ctx, name, peerURL, func() {
		progress.Printf(ctx, "[etcd] Another member is joining: etcd takes one learner at a time, so this one waits for its promotion\n")
	})
	if err != nil {
		return err
	}
	if self.IsLearner {
		progress.Printf(ctx, "[etcd] Announced new etcd member %s (%x) as a learner to the existing etcd cluster\n", peerURL, self.ID)
	} else {
		progress.Printf(ctx, "[etcd] etcd member %s (%x) is already a voting member\n", peerURL, self.ID)
	}
	in.InitialCluster = etcdcluster.InitialCluster(all, name, peerURL)
	if err := etcd.CreateDataDir(cluster.Etcd.Local.DataDir); err != nil {
		return err
	}
	progress.Printf(ctx, "[etcd] Creating static Pod manifest for %q\n", etcd.Name)
	pod, err := etcd.Pod(in)
	if err != nil {
		return fmt.Errorf("build the etcd static Pod: %w", err)
	}
	if err := writeStaticPod(ctx, d, pod, set); err != nil {
		return err
	}
	if self.IsLearner {
		progress.Printf(ctx, "[etcd] Waiting for the new etcd member to catch up with the leader, then promoting it. This can take up to %v\n", cfg.Timeouts.EtcdAPICall.Duration)
		if err := c.Promote(ctx, self.ID); err != nil {
			return err
		}
		progress.Printf(ctx, "[etcd] Promoted etcd member %s to a voting member\n", peerURL)
	}
	if err := c.WaitAvailable(ctx); err != nil {
		return fmt.Errorf("etcd member %s was added, but the cluster did not become available: %w", peerURL, err)
	}
	return nil
}

// runMarkControlPlane labels and taints this node's Node as a control-plane
// node, once the kubelet, which kubelet-wait-bootstrap waited for, has
// registered it.
func runMarkControlPlane(ctx context.Context, d Data) error {
	cfg := d.Cfg()
	nr := cfg.NodeRegistration
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would mark node %s as a control-plane\n", nr.Name)
		return nil
	}
	client, err := d.Client(ctx)
	if err != nil {
		return err
	}
	progress.Printf(ctx, "[mark-control-plane] Marking the node %s as control-plane by adding the labels: %v\n", nr.Name, noderole.ControlPlaneLabels())
	if len(nr.Taints) > 0 {
		progress.Printf(ctx, "[mark-control-plane] Marking the node %s as control-plane by adding the taints %v\n", nr.Name, noderole.TaintStrings(nr.Taints))
	}
	return noderole.Mark(ctx, client, apiPolicy(d), nr.Name, nr.Taints)
}

// runWaitControlPlane waits for this node's API server, controller-manager
// and scheduler to answer on their health endpoints.
func runWaitControlPlane(ctx context.Context, d Data) error {
	cfg := d.Cfg()
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would wait for the control-plane components to become healthy\n")
		return nil
	}
	return phases.WaitControlPlane(ctx, d.ManifestDir(), cfg.ControlPlane.LocalAPIEndpoint.AdvertiseAddress,
		cfg.NodeRegistration.CRISocket, cfg.Timeouts.ControlPlaneComponentHealthCheck.Duration)
}
