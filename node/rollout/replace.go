package rollout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/staticpod"
)

// Waiter tells when the kubelet runs a manifest. The phases combine the Pod's mirror in the
// API with the component's own health endpoint on this machine.
type Waiter interface {
	// Before returns what identifies the Pod running now (the kubelet's config hash of it),
	// before its manifest changes; empty when nothing can be seen.
	Before(ctx context.Context, component string) string
	// Running waits until the kubelet runs want, in a container started at or after since,
	// and the component is healthy. before is what Before returned. The error says what
	// was last seen.
	Running(ctx context.Context, want *corev1.Pod, since time.Time, before string) error
	// Stopped waits until the component of want no longer answers, after its manifest was
	// taken away.
	Stopped(ctx context.Context, want *corev1.Pod) error
}

// Manifests replaces the static Pods in Dir, backing up each old manifest into one
// directory per run under KubernetesDir/tmp, made on the first backup.
type Manifests struct {
	Dir           string
	KubernetesDir string
	Waiter        Waiter
	// Timeout bounds each wait for a Pod (timeouts.upgradeManifests).
	Timeout time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	backupDir string
}

// Outcome is what Replace did.
type Outcome int

const (
	// Unchanged: the manifest already was the wanted one, and the Pod runs it.
	Unchanged Outcome = iota + 1
	// Upgraded: the new manifest replaced the old one and its Pod runs.
	Upgraded
	// Restarted: the manifest was unchanged but the Pod was restarted, to pick up renewed
	// certificates.
	Restarted
)

// BackupDir is this run's manifest backup directory; empty before the first backup.
func (m *Manifests) BackupDir() string { return m.backupDir }

func (m *Manifests) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// RolledBackError is a component whose new Pod did not come up within the timeout: its old
// manifest is back in place.
type RolledBackError struct {
	Component string
	// Backup is where the old manifest stays saved.
	Backup string
	// Err is why the new Pod was not accepted.
	Err error
	// Recovered is nil when the old Pod runs again, or why it does not.
	Recovered error
}

func (e *RolledBackError) Error() string {
	msg := fmt.Sprintf("the new %s static Pod did not come up: %v; its previous manifest is back in place (backed up at %s)", e.Component, e.Err, e.Backup)
	if e.Recovered != nil {
		return msg + fmt.Sprintf(", but the previous %s did not come back either: %v", e.Component, e.Recovered)
	}
	return msg + fmt.Sprintf(", and the previous %s runs again", e.Component)
}

func (e *RolledBackError) Unwrap() error { return e.Err }

// Replace makes want the static Pod of its component. A manifest that already describes
// want is kept, and checked to run; renew, when set, renews the component's certificates
// first and reports whether it did, which restarts an unchanged Pod so that it reads them.
// Otherwise the old manifest is backed up and the new one written atomically (the kubelet
// never sees the file missing or half written), and the kubelet given Timeout to run it;
// when it does not, the old manifest is put back and the error is a *RolledBackError.
func (m *Manifests) Replace(ctx context.Context, want *corev1.Pod, renew func() (bool, error)) (Outcome, error) {
	component := want.Name
	path := staticpod.Path(m.Dir, component)
	progress.Printf(ctx, "[upgrade/staticpods] Preparing for %q upgrade\n", component)
	old, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read the current %s manifest: %w (is this a control-plane node?)", component, err)
	}
	current, err := staticpod.Decode(old)
	if err != nil {
		return 0, fmt.Errorf("read the current %s manifest %s: %w", component, path, err)
	}
	equal := staticpod.Equal(current, want)
	renewed := false
	if renew != nil {
		if renewed, err = renew(); err != nil {
			return 0, fmt.Errorf("failed to renew certificates for component %q: %w", component, err)
		}
	}
	if equal && !renewed {
		progress.Printf(ctx, "[upgrade/staticpods] Current and new manifests of %s are equal, skipping upgrade\n", component)
		if err := m.wait(ctx, func(ctx context.Context) error { return m.Waiter.Running(ctx, want, time.Time{}, "") }); err != nil {
			return 0, fmt.Errorf("the %s static Pod, whose manifest needs no change, does not run: %w", component, err)
		}
		return Unchanged, nil
	}
	data, err := staticpod.Marshal(want)
	if err != nil {
		return 0, err
	}
	backup, err := m.backup(component, old)
	if err != nil {
		return 0, err
	}
	before := m.Waiter.Before(ctx, component)
	if equal {
		progress.Printf(ctx, "[upgrade/staticpods] Restarting the %s static pod and backing up its manifest to %q\n", component, backup)
		return Restarted, m.restart(ctx, want, path, data, backup)
	}
	progress.Printf(ctx, "[upgrade/staticpods] Moving new manifest to %q and backing up old manifest to %q\n", path, backup)
	since := m.now()
	if err := atomicfile.Write(path, data, staticpod.ManifestMode); err != nil {
		return 0, fmt.Errorf("write the new %s manifest: %w", component, err)
	}
	progress.Printf(ctx, "[upgrade/staticpods] Waiting for the kubelet to restart the component\n")
	progress.Printf(ctx, "[upgrade/staticpods] This can take up to %v\n", m.Timeout)
	err = m.wait(ctx, func(ctx context.Context) error { return m.Waiter.Running(ctx, want, since, before) })
	if err != nil {
		return 0, m.rollBack(ctx, current, path, old, backup, err)
	}
	progress.Printf(ctx, "[upgrade/staticpods] Component %q upgraded successfully!\n", component)
	return Upgraded, nil
}

// restart takes the manifest away until the component stops, then puts it back: the
// kubelet restarts a Pod whose manifest comes back, not one whose manifest is rewritten
// unchanged.
func (m *Manifests) restart(ctx context.Context, want *corev1.Pod, path string, data []byte, backup string) error {
	component := want.Name
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("take the %s manifest away to restart it: %w", component, err)
	}
	stopErr := m.wait(ctx, func(ctx context.Context) error { return m.Waiter.Stopped(ctx, want) })
	since := m.now()
	if err := atomicfile.Write(path, data, staticpod.ManifestMode); err != nil {
		return fmt.Errorf("put the %s manifest back: %w (a copy is at %s)", component, err, backup)
	}
	if stopErr != nil {
		return fmt.Errorf("the %s static Pod did not stop to restart: %w; its manifest is back in place", component, stopErr)
	}
	progress.Printf(ctx, "[upgrade/staticpods] Waiting for the kubelet to restart the component\n")
	progress.Printf(ctx, "[upgrade/staticpods] This can take up to %v\n", m.Timeout)
	if err := m.wait(ctx, func(ctx context.Context) error { return m.Waiter.Running(ctx, want, since, "") }); err != nil {
		return fmt.Errorf("the %s static Pod did not come back after its restart: %w (its manifest is unchanged, backed up at %s)", component, err, backup)
	}
	progress.Printf(ctx, "[upgrade/staticpods] Component %q upgraded successfully!\n", component)
	return nil
}

// rollBack writes the old manifest back and waits for the old Pod.
func (m *Manifests) rollBack(ctx context.Context, current *corev1.Pod, path string, old []byte, backup string, cause error) error {
	component := current.Name
	progress.Printf(ctx, "[upgrade/staticpods] The new %s did not come up; rolling back to the manifest backed up at %q\n", component, backup)
	rb := &RolledBackError{Component: component, Backup: backup, Err: cause}
	// The wait may have ended with ctx; the rollback still gets its own time.
	rctx := context.WithoutCancel(ctx)
	since := m.now()
	if err := atomicfile.Write(path, old, staticpod.ManifestMode); err != nil {
		rb.Recovered = fmt.Errorf("restore its manifest: %w; copy %s to %s by hand", err, backup, path)
		return rb
	}
	rb.Recovered = m.wait(rctx, func(ctx context.Context) error { return m.Waiter.Running(ctx, current, since, "") })
	return rb
}

// wait runs one bounded wait; a timeout is reported as one.
func (m *Manifests) wait(ctx context.Context, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeoutCause(ctx, m.Timeout, fmt.Errorf("%w after %v (timeouts.upgradeManifests)", context.DeadlineExceeded, m.Timeout))
	defer cancel()
	return fn(ctx)
}

// backup saves the old manifest into this run's backup directory.
func (m *Manifests) backup(component string, data []byte) (string, error) {
	if m.backupDir == "" {
		dir, err := NewBackupDir(m.KubernetesDir, ManifestsBackup, m.now())
		if err != nil {
			return "", err
		}
		m.backupDir = dir
	}
	path := staticpod.Path(m.backupDir, component)
	if err := atomicfile.Write(path, data, staticpod.ManifestMode); err != nil {
		return "", fmt.Errorf("back up the %s manifest: %w", component, err)
	}
	return path, nil
}

// IsRolledBack reports whether err is a component rolled back to its old manifest.
func IsRolledBack(err error) bool {
	var rb *RolledBackError
	return errors.As(err, &rb)
}
