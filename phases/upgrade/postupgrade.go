package upgradephases

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/rollout"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func postUpgradePhase[D Data]() workflow.Phase[D] {
	return workflow.Phase[D]{
		Name:         "post-upgrade",
		Short:        "Run post upgrade tasks",
		Run:          func(ctx context.Context, d D) error { return runPostUpgrade(ctx, d) },
		InheritFlags: []string{options.Config, options.Kubeconfig, options.DryRun},
	}
}

// movedFlags are kubelet flags older kubeadm releases wrote into kubeadm-flags.env whose
// value now lives in instance-config.yaml: a flag would override the file.
var movedFlags = []string{"container-runtime-endpoint"}

// runPostUpgrade drops from kubeadm-flags.env the flags whose value instance-config.yaml
// now holds, after backing the file up, so that one fact lives in one file.
func runPostUpgrade(ctx context.Context, d Data) error {
	path := filepath.Join(d.KubeletDir(), kubelet.FlagsFileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("error reading kubelet env file: %w", err)
	}
	if _, err := os.Stat(filepath.Join(d.KubeletDir(), kubelet.InstanceConfigFileName)); err != nil {
		return nil
	}
	flags, err := envFlags(data)
	if err != nil {
		return fmt.Errorf("error reading kubelet env file %s: %w", path, err)
	}
	var kept, dropped []string
	for _, f := range flags {
		name, _, _ := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if slices.Contains(movedFlags, name) {
			dropped = append(dropped, name)
		} else {
			kept = append(kept, f)
		}
	}
	if len(dropped) == 0 {
		return nil
	}
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would remove unwanted kubelet flags %v from %s\n", dropped, kubelet.FlagsFileName)
		return nil
	}
	dir, err := rollout.NewBackupDir(d.KubernetesDir(), "kubeadm-kubelet-env", time.Now())
	if err != nil {
		return err
	}
	backup := filepath.Join(dir, kubelet.FlagsFileName)
	progress.Printf(ctx, "[upgrade] Backing up kubelet env file to %s\n", backup)
	if err := atomicfile.Write(backup, data, 0o644); err != nil {
		return fmt.Errorf("error backing up the kubelet env file: %w", err)
	}
	return kubelet.WriteFile(d.KubeletDir(), kubelet.FlagsFileName, kubelet.FlagsEnv(kept))
}

// envFlags reads kubeadm-flags.env: KUBELET_KUBEADM_ARGS="..." with the flags separated by
// spaces, as kubeadm writes it.
func envFlags(data []byte) ([]string, error) {
	line := strings.TrimSpace(string(data))
	value, ok := strings.CutPrefix(line, kubelet.FlagsVariable+"=")
	if !ok {
		return nil, fmt.Errorf("it does not set %s", kubelet.FlagsVariable)
	}
	unquoted, err := strconv.Unquote(value)
	if err != nil {
		unquoted = value
	}
	return strings.Fields(unquoted), nil
}
