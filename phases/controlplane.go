package phases

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/certs"
	"github.com/kadm-project/kadm/node/controlplane"
	"github.com/kadm-project/kadm/node/health"
	"github.com/kadm-project/kadm/node/patches"
	"github.com/kadm-project/kadm/node/staticpod"
)

// PatchStaticPod applies the --patches set (nil: none) to pod and reports
// each patch it applied.
func PatchStaticPod(ctx context.Context, pod *corev1.Pod, set *patches.Set) (*corev1.Pod, error) {
	pod, applied, err := staticpod.Patch(pod, set)
	if err != nil {
		return nil, err
	}
	for _, a := range applied {
		progress.Printf(ctx, "[patches] Applied patch of type %q to target %q\n", a.Type, a.Target)
	}
	return pod, nil
}

// ReportCert says what certs.Create did with c, in kubeadm's words.
func ReportCert(ctx context.Context, c certs.Cert, res certs.Result) {
	switch {
	case res.Action == certs.Reused && c.IsCA():
		progress.Printf(ctx, "[certs] Using existing %s certificate authority\n", c.BaseName)
	case res.Action == certs.ReusedKeyless:
		progress.Printf(ctx, "[certs] Using existing %s keyless certificate authority\n", c.BaseName)
	case res.Action == certs.Reused:
		progress.Printf(ctx, "[certs] Using existing %s certificate and key on disk\n", c.BaseName)
	case res.Action == certs.SignedExistingKey:
		progress.Printf(ctx, "[certs] Generating %q certificate for the existing key\n", c.BaseName)
	case res.Action == certs.WouldSign && res.KeyOnDisk:
		ca, _ := c.CA()
		progress.Printf(ctx, "[dryrun] Would generate %q certificate for the existing key, signed by the existing %s certificate authority\n", c.BaseName, ca.BaseName)
	case res.Action == certs.WouldSign:
		ca, _ := c.CA()
		progress.Printf(ctx, "[dryrun] Would generate %q certificate and key, signed by the existing %s certificate authority\n", c.BaseName, ca.BaseName)
	default:
		progress.Printf(ctx, "[certs] Generating %q certificate and key\n", c.BaseName)
	}
	cert := res.Certificate
	if (res.Action == certs.Generated || res.Action == certs.SignedExistingKey) && !c.IsCA() &&
		slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageServerAuth) {
		progress.Printf(ctx, "[certs] %s serving cert is signed for DNS names %v and IPs %v\n", c.BaseName, cert.DNSNames, cert.IPAddresses)
	}
}

// ReportKubeconfig says what kubeconfig.Ensure did with the file called
// name; program names the command a warning suggests.
func ReportKubeconfig(ctx context.Context, program, name string, out kubeconfig.Outcome, externalCA bool) {
	if m := out.ServerMismatch; m != nil {
		progress.Printf(ctx, "[kubeconfig] WARNING: the existing kubeconfig file %q points at API server %s instead of %s; it is kept, remove it to have %s write one for %s\n",
			out.Path, m.Got, m.Want, program, m.Want)
	}
	switch {
	case out.Written:
		progress.Printf(ctx, "[kubeconfig] Writing %q kubeconfig file\n", name)
	case externalCA:
		progress.Printf(ctx, "[kubeconfig] External CA mode: Using user provided %s\n", name)
	default:
		progress.Printf(ctx, "[kubeconfig] Using existing kubeconfig file: %q\n", out.Path)
	}
}

// WaitControlPlane waits, up to timeout, for the health endpoints of the
// control-plane components whose manifests are in manifestDir, on this
// node's advertise address; the error names the component that did not
// come up and how to look at it.
func WaitControlPlane(ctx context.Context, manifestDir, advertiseAddress, criSocket string, timeout time.Duration) error {
	pods := map[string]*corev1.Pod{}
	for _, name := range controlplane.Components() {
		pod, err := staticpod.Read(staticpod.Path(manifestDir, name))
		if err != nil {
			return err
		}
		pods[name] = pod
	}
	comps, err := health.ControlPlaneComponents(pods, advertiseAddress)
	if err != nil {
		return err
	}
	progress.Printf(ctx, "[control-plane-check] Waiting for healthy control plane components. This can take up to %v\n", timeout)
	if err := health.Wait(ctx, comps, timeout); err != nil {
		return fmt.Errorf("the control plane did not come up: %w; list the containers with 'crictl --runtime-endpoint %s ps -a' and read the failing one's logs", err, criSocket)
	}
	return nil
}
