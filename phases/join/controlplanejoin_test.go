package joinphases

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"
	"github.com/kadm-project/kadm/cluster/noderole"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
)

// TestKubeletStartControlPlane: the kubelet of a joining control-plane node
// bootstraps with this node's own API server (ControlPlaneKubeletLocalMode),
// and its taints are left to mark-control-plane.
func TestKubeletStartControlPlane(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		endpoint   config.APIEndpoint
		wantServer string
	}{
		{name: "IPv4", endpoint: config.APIEndpoint{AdvertiseAddress: cpAddress, BindPort: cpPort}, wantServer: "https://10.0.0.7:6444"},
		{name: "IPv6", endpoint: config.APIEndpoint{AdvertiseAddress: "fd00::7", BindPort: 6443}, wantServer: "https://[fd00::7]:6443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeData(t, healthz(t))
			d.cfg.ControlPlane = &config.JoinControlPlane{LocalAPIEndpoint: tt.endpoint}
			d.cfg.NodeRegistration.Taints = []corev1.Taint{config.ControlPlaneTaint()}
			bootConf := filepath.Join(d.kubeconfigDir, kubeconfig.BootstrapKubeletFile)
			sys := &fakeInit{onRestart: func() {
				if _, err := os.Stat(bootConf); err != nil {
					t.Errorf("the kubelet starts without its bootstrap kubeconfig: %v", err)
				}
			}}
			out, err := output(func(ctx context.Context) error { return runKubeletStart(ctx, d, testHost(sys)) })
			if err != nil {
				t.Fatalf("runKubeletStart: %v\n%s", err, out)
			}
			if !strings.Contains(out, "[kubelet-start] The kubelet will finish its TLS bootstrap with this node's API server") {
				t.Errorf("output:\n%s", out)
			}

			info, err := os.Stat(bootConf)
			if err != nil {
				t.Fatalf("bootstrap-kubelet.conf was removed: %v", err)
			}
			if info.Mode().Perm() != 0o600 {
				t.Errorf("bootstrap-kubelet.conf has mode %v, want 0600", info.Mode().Perm())
			}
			cfg, err := kubeconfig.Load(bootConf)
			if err != nil {
				t.Fatal(err)
			}
			cluster, user, err := kubeconfig.Current(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if cluster.Server != tt.wantServer || string(cluster.CertificateAuthorityData) != testCA || user.Token != testToken || cfg.Clusters["prod"] != cluster {
				t.Errorf("bootstrap-kubelet.conf: cluster %+v, token %q; want cluster \"prod\" at %s with the cluster CA and the token", cluster, user.Token, tt.wantServer)
			}
			flags, err := os.ReadFile(filepath.Join(d.kubeletDir, "kubeadm-flags.env"))
			if want := `KUBELET_KUBEADM_ARGS="--hostname-override=worker-1"` + "\n"; err != nil || string(flags) != want {
				t.Errorf("kubeadm-flags.env = %q (%v), want %q", flags, err, want)
			}
		})
	}
}

func TestMarkControlPlane(t *testing.T) {
	t.Parallel()
	taint := corev1.Taint{Key: "dedicated", Value: "cp", Effect: corev1.TaintEffectNoExecute}
	for _, dryRun := range []bool{false, true} {
		t.Run(fmt.Sprintf("dry run %v", dryRun), func(t *testing.T) {
			t.Parallel()
			d := controlPlaneJoin(t)
			d.cfg.DryRun = dryRun
			d.cfg.NodeRegistration.Taints = []corev1.Taint{config.ControlPlaneTaint(), taint}
			admin := fake.NewClientset(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: testNode}})
			if !dryRun {
				d.admin = kubefake.Wrap(admin)
			}
			out, err := output(func(ctx context.Context) error { return runMarkControlPlane(ctx, d) })
			if err != nil {
				t.Fatalf("runMarkControlPlane: %v\n%s", err, out)
			}
			node, err := admin.CoreV1().Nodes().Get(t.Context(), testNode, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if dryRun {
				if len(node.Labels) > 0 || len(node.Spec.Taints) > 0 {
					t.Errorf("dry run changed the Node: %+v", node)
				}
				return
			}
			for _, l := range noderole.ControlPlaneLabels() {
				if v, ok := node.Labels[l]; !ok || v != "" {
					t.Errorf("Node labels %v lack %s", node.Labels, l)
				}
			}
			if !slices.EqualFunc(node.Spec.Taints, d.cfg.NodeRegistration.Taints, func(a, b corev1.Taint) bool { return a.MatchTaint(&b) }) {
				t.Errorf("Node taints = %v, want %v", node.Spec.Taints, d.cfg.NodeRegistration.Taints)
			}
			want := fmt.Sprintf("[mark-control-plane] Marking the node %s as control-plane by adding the taints [%s:NoSchedule dedicated=cp:NoExecute]", testNode, config.ControlPlaneTaintKey)
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		})
	}
}

// TestEtcdPhasesWithoutMember: with an external etcd there is no member to
// check or add, and a dry run adds none; neither connects to etcd (d has no
// admin client to find its endpoints with) nor writes a manifest.
func TestEtcdPhasesWithoutMember(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		external bool
		run      func(context.Context, Data) error
		wantOut  string
	}{
		{name: "check-etcd, external", external: true, run: runCheckEtcd, wantOut: "[check-etcd] Using external etcd: no local etcd member to check or add"},
		{name: "etcd, external", external: true, run: runEtcdJoin, wantOut: "[etcd] Using external etcd: no local etcd member to check or add"},
		{name: "check-etcd, dry run", run: runCheckEtcd, wantOut: "[dryrun] Would check that the etcd cluster is healthy"},
		{name: "etcd, dry run", run: runEtcdJoin, wantOut: "[dryrun] Would add etcd member https://10.0.0.7:2380 as a learner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := controlPlaneJoin(t)
			d.cfg.DryRun = !tt.external
			if tt.external {
				d.state.Cluster.Etcd.Local = nil
				d.state.Cluster.Etcd.External = &config.ExternalEtcd{Endpoints: []string{"https://10.0.0.9:2379"}}
			}
			out, err := output(func(ctx context.Context) error { return tt.run(ctx, d) })
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out)
			}
			if got := files(t, d.dir); len(got) > 0 {
				t.Errorf("files written: %v", got)
			}
		})
	}
}

func TestDoneControlPlaneExternalEtcd(t *testing.T) {
	t.Parallel()
	d := controlPlaneJoin(t)
	d.state.Cluster.Etcd.Local = nil
	d.state.Cluster.Etcd.External = &config.ExternalEtcd{Endpoints: []string{"https://10.0.0.9:2379"}}
	out, err := output(func(ctx context.Context) error { return Done(ctx, d) })
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(controlPlaneDone, "", filepath.Join(d.kubeconfigDir, "admin.conf")); out != want {
		t.Errorf("Done printed %q, want %q", out, want)
	}
	if strings.Contains(out, "etcd") {
		t.Errorf("Done mentions etcd for an external one:\n%s", out)
	}
}
