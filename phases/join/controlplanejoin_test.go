package joinphases

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"
	"github.com/kadm-project/kadm/cluster/noderole"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
)

// TestKubeletStartControlPlane: the kubelet of a joining control-plane node
// bootstraps with this node's API server, which only starts later, so the
// phase neither waits for the TLS bootstrap nor removes the bootstrap
// kubeconfig, and the taints are left to mark-control-plane.
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
			// A wait for the TLS bootstrap could only end in this timeout's
			// error: no kubelet.conf ever appears.
			d.cfg.Timeouts.TLSBootstrap.Duration = 2 * time.Second
			bootConf := filepath.Join(d.kubeconfigDir, kubeconfig.BootstrapKubeletFile)
			sys := &fakeInit{onRestart: func() {
				if _, err := os.Stat(bootConf); err != nil {
					t.Errorf("the kubelet starts without its bootstrap kubeconfig: %v", err)
				}
			}}
			start := time.Now()
			out, err := output(func(ctx context.Context) error { return runKubeletStart(ctx, d, testHost(sys)) })
			if err != nil {
				t.Fatalf("runKubeletStart: %v\n%s", err, out)
			}
			if elapsed := time.Since(start); elapsed >= d.cfg.Timeouts.TLSBootstrap.Duration {
				t.Errorf("took %v: the phase waited for the TLS bootstrap", elapsed)
			}
			if strings.Contains(out, "Waiting for the kubelet to perform the TLS Bootstrap") ||
				!strings.Contains(out, "[kubelet-start] The kubelet will finish its TLS bootstrap with this node's API server") {
				t.Errorf("output:\n%s", out)
			}
			for _, a := range d.client.Actions() {
				if a.GetResource().Resource == "certificatesigningrequests" {
					t.Errorf("the phase followed certificate signing requests: %v", a)
				}
			}
			if _, err := os.Stat(filepath.Join(d.kubeconfigDir, kubeconfig.KubeletFile)); err == nil {
				t.Error("kubelet.conf exists")
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

// bootstrappedKubelet plays the kubelet that finished its TLS bootstrap
// with the shared CA: its kubelet.conf holds a certificate for testNode.
func bootstrappedKubelet(t *testing.T, d *fakeData) {
	t.Helper()
	ca, err := kubeconfig.LoadCA(d.state.Cluster.CertificatesDir, false)
	if err != nil {
		t.Fatal(err)
	}
	files, err := kubeconfig.ControlPlaneFiles(testNode, d.cfg.ControlPlane.LocalAPIEndpoint, d.state.Cluster)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(files, func(f kubeconfig.ClientFile) bool { return f.Name == kubeconfig.KubeletFile })
	cfg, err := files[i].Build(t.Context(), ca, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := kubeconfig.Write(filepath.Join(d.kubeconfigDir, kubeconfig.KubeletFile), cfg); err != nil {
		t.Fatal(err)
	}
}

func TestMarkControlPlane(t *testing.T) {
	t.Parallel()
	taint := corev1.Taint{Key: "dedicated", Value: "cp", Effect: corev1.TaintEffectNoExecute}
	tests := []struct {
		name string
		// bootstrap: kubelet-start left bootstrap-kubelet.conf, and the
		// kubelet has since finished its TLS bootstrap.
		bootstrap bool
		dryRun    bool
	}{
		{name: "after the TLS bootstrap", bootstrap: true},
		{name: "no bootstrap kubeconfig left"},
		{name: "dry run", bootstrap: true, dryRun: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := controlPlaneJoin(t)
			d.cfg.DryRun = tt.dryRun
			d.cfg.NodeRegistration.Taints = []corev1.Taint{config.ControlPlaneTaint(), taint}
			admin := fake.NewClientset(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: testNode}})
			if !tt.dryRun {
				d.admin = kubefake.Wrap(admin)
			}
			bootConf := filepath.Join(d.kubeconfigDir, kubeconfig.BootstrapKubeletFile)
			if tt.bootstrap {
				sharedCAs(t, d.state.Cluster)
				bootstrappedKubelet(t, d)
				writeFile(t, bootConf, "bootstrap kubeconfig with the token")
			}
			out, err := output(func(ctx context.Context) error { return runMarkControlPlane(ctx, d) })
			if err != nil {
				t.Fatalf("runMarkControlPlane: %v\n%s", err, out)
			}
			_, statErr := os.Stat(bootConf)
			if removed := os.IsNotExist(statErr); tt.bootstrap && removed == tt.dryRun {
				t.Errorf("bootstrap-kubelet.conf removed: %v, want %v", removed, !tt.dryRun)
			}
			node, err := admin.CoreV1().Nodes().Get(t.Context(), testNode, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.dryRun {
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
