package phases

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/config/componentconfig"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/initsystem"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/patches"
)

// RestartKubelet (re)starts the kubelet and says what the user must do when
// that cannot be done; like kubeadm, it never fails the phase, since the
// kubelet may be run some other way and the wait for it comes later.
func RestartKubelet(ctx context.Context, phase, kubeletDir string, sys initsystem.InitSystem, sysErr error) {
	if sys == nil {
		progress.Printf(ctx, "[%s] No supported init system detected, won't make sure the kubelet is running properly.\n", phase)
		if sysErr != nil {
			klog.V(1).Infof("[%s] %v", phase, sysErr)
		}
		progress.Printf(ctx, "[%s] Start the kubelet yourself, with --config=%s and the flags in $%s from %s\n",
			phase, filepath.Join(kubeletDir, kubelet.ConfigFileName), kubelet.FlagsVariable, filepath.Join(kubeletDir, kubelet.FlagsFileName))
		return
	}
	o := initsystem.Restart(ctx, sys, kubelet.ServiceName)
	if o.Missing {
		progress.Printf(ctx, "[%s] Couldn't detect a kubelet service, can't make sure the kubelet is running properly.\n", phase)
	}
	if o.Err != nil {
		progress.Printf(ctx, "[%s] WARNING: unable to start the kubelet service: [%v]\n", phase, o.Err)
		progress.Printf(ctx, "[%s] Please ensure kubelet is reloaded and running manually (e.g. '%s').\n", phase, o.StartCommand)
	}
}

// WaitKubeletHealthy waits up to timeout for the /healthz of the kubelet
// configured by kc, unless kc disables it; init and join both wait so before
// they rely on the kubelet.
func WaitKubeletHealthy(ctx context.Context, kc *componentconfig.KubeletConfiguration, timeout time.Duration) error {
	url, err := kubelet.HealthzURL(kc)
	if errors.Is(err, kubelet.ErrHealthzDisabled) {
		progress.Printf(ctx, "[kubelet-check] Skipping the kubelet health check: its healthz port is disabled\n")
		return nil
	}
	if err != nil {
		return err
	}
	progress.Printf(ctx, "[kubelet-check] Waiting for a healthy kubelet at %s. This can take up to %v\n", url, timeout)
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := kubelet.WaitHealthy(wctx, url); err != nil {
		return fmt.Errorf("the kubelet did not become healthy: %w; check it with 'systemctl status kubelet' and 'journalctl -xeu kubelet'", err)
	}
	progress.Printf(ctx, "[kubelet-check] The kubelet is healthy after %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// Patcher turns a run's --patches set into the function the kubelet and
// addon code call for their targets, reporting each patch it applies; nil
// for a nil set. Its type is unnamed so it fits every package's hook.
func Patcher(ctx context.Context, set *patches.Set) func(target string, doc []byte) ([]byte, error) {
	if set == nil {
		return nil
	}
	return func(target string, doc []byte) ([]byte, error) {
		out, applied, err := set.Apply(target, doc)
		if err != nil {
			return nil, err
		}
		for _, a := range applied {
			progress.Printf(ctx, "[patches] Applied patch of type %q to target %q\n", a.Type, a.Target)
		}
		return out, nil
	}
}

// Indent tabs every line of a file a dry run shows, as kubeadm prints them.
func Indent(data []byte) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(strings.TrimRight(string(data), "\n"), "\n") {
		b.WriteString("\t" + strings.TrimRight(line, "\n") + "\n")
	}
	return b.String()
}
