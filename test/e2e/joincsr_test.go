//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// autoApproveBinding lets bootstrap tokens' CSRs be approved by the
// controller-manager; kadm init creates it under kubeadm's name.
const autoApproveBinding = "kubeadm:node-autoapprove-bootstrap"

// testJoinPendingCSR removes the binding that auto-approves bootstrap CSRs,
// joins a worker, and approves its CSR once join has reported it pending.
func testJoinPendingCSR(t *testing.T, ctx context.Context, c *joinCluster) {
	crbs := c.client.RbacV1().ClusterRoleBindings()
	crb, err := crbs.Get(ctx, autoApproveBinding, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := crbs.Delete(ctx, autoApproveBinding, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		crb.ResourceVersion, crb.UID = "", ""
		if _, err := crbs.Create(ctx, crb, metav1.CreateOptions{}); err != nil {
			t.Errorf("restore %s: %v", autoApproveBinding, err)
		}
	})

	w := framework.NewHost(t, suite.lab, "join-approve")
	args := append([]string{"join", c.endpoint, "--token", c.token, "--discovery-token-ca-cert-hash", c.hash}, c.preflight...)
	r, err := startKadm(ctx, w, args...)
	if err != nil {
		t.Fatal(err)
	}
	ended := func() error {
		if !r.Exited() {
			return nil
		}
		out, _, err := r.Wait(ctx, time.Second)
		return framework.Permanent(fmt.Errorf("kadm join ended (%v) before its CSR was approved:\n%s", err, out))
	}

	var name string
	err = framework.WaitFor(ctx, 2*time.Minute, 500*time.Millisecond, "the CSR of node "+w.Name, func(ctx context.Context) error {
		if err := ended(); err != nil {
			return err
		}
		csr, err := csrForNode(ctx, c.client, w.Name)
		if err != nil {
			return err
		}
		if csrApproved(csr) {
			return framework.Permanent(fmt.Errorf("CSR %s was approved although %s is deleted: %v", csr.Name, autoApproveBinding, csr.Status.Conditions))
		}
		name = csr.Name
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	approveLine := "kubectl certificate approve " + name
	err = framework.WaitFor(ctx, time.Minute, 200*time.Millisecond, "kadm join to report CSR "+name+" pending", func(context.Context) error {
		if strings.Contains(r.Output(), approveLine) {
			return nil
		}
		if err := ended(); err != nil {
			return err
		}
		return fmt.Errorf("no line with %q yet; output so far:\n%s", approveLine, r.Output())
	})
	if err != nil {
		t.Fatal(err)
	}

	err = framework.WaitFor(ctx, 30*time.Second, 500*time.Millisecond, "approving CSR "+name, func(ctx context.Context) error {
		csr, err := c.client.CertificatesV1().CertificateSigningRequests().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
			Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue,
			Reason: "KadmE2EApprove", Message: "approved by the kadm e2e test",
		})
		_, err = c.client.CertificatesV1().CertificateSigningRequests().UpdateApproval(ctx, name, csr, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out, elapsed, err := r.Wait(ctx, 3*time.Minute)
	t.Logf("kadm %s (%s, %v):\n%s", strings.Join(args, " "), elapsed.Round(time.Millisecond), err, out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, joinedMessage) {
		t.Errorf("the output lacks %q", joinedMessage)
	}
	checkWorker(t, ctx, c.cp, w, c.client, c.id)
}
