package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// hostName is the sandbox's one host, and so its node name.
const hostName = "demo"

const usage = `usage: sandbox [-lab kadm-demo|kadm-e2e] up|down|nodes|exec -- COMMAND...

  up     build kadm, the kubelet stand-in and (once) the control-plane binaries,
         create the sandbox host, run kadm init in it, print the join command
         and the node list; the host stays up
  nodes  print the sandbox cluster's nodes
  exec   run a command inside the sandbox host (kadm and the host's kubelet
         and systemctl are on its PATH)
  down   remove the sandbox host; with -lab kadm-e2e, the hosts an e2e run left
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	labName := fs.String("lab", "kadm-demo", "the lab to act on")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(stderr, "sandbox: the sandbox host needs root: it creates network, mount and PID namespaces; run it as root (sudo make demo)")
		return 1
	}
	bin := filepath.Join(os.TempDir(), *labName+"-bin")
	standin, kadm := filepath.Join(bin, "kubelet-standin"), filepath.Join(bin, "kadm")
	programs := map[string]string{"kadm": kadm}
	var lab *framework.Lab
	switch *labName {
	case "kadm-demo":
		lab = framework.DemoLab(standin, framework.ComponentsDir(), programs)
	case "kadm-e2e":
		lab = framework.E2ELab(standin, framework.ComponentsDir(), programs)
	default:
		fmt.Fprintf(stderr, "sandbox: unknown lab %q: use kadm-demo or kadm-e2e\n", *labName)
		return 2
	}
	var err error
	switch fs.Arg(0) {
	case "up":
		err = up(ctx, lab, bin, stdout, stderr)
	case "down":
		if err = lab.Sweep(ctx); err == nil {
			err = os.RemoveAll(bin)
			fmt.Fprintf(stdout, "[sandbox] Removed every host of %s\n", lab.Name)
		}
	case "nodes":
		var h *framework.Host
		if h, err = lab.Attach(hostName); err == nil {
			err = printNodes(ctx, h, stdout)
		}
	case "exec":
		cmdArgs := fs.Args()[1:]
		if len(cmdArgs) > 0 && cmdArgs[0] == "--" {
			cmdArgs = cmdArgs[1:]
		}
		err = execIn(ctx, lab, cmdArgs, stdin, stdout, stderr)
	default:
		fs.Usage()
		return 2
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintf(stderr, "sandbox: %v\n", err)
		return 1
	}
	return 0
}

func up(ctx context.Context, lab *framework.Lab, bin string, stdout, stderr io.Writer) error {
	if hosts, err := lab.Namespaces(ctx); err == nil && len(hosts) > 0 {
		fmt.Fprintln(stdout, "[sandbox] Removing the previous sandbox")
	}
	if err := lab.Sweep(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "[sandbox] Building kadm and the kubelet stand-in")
	if err := framework.GoBuild(ctx, "./test/e2e/kubeletstandin", lab.StandinBinary); err != nil {
		return err
	}
	if err := framework.GoBuild(ctx, "./cmd/kadm", lab.Programs["kadm"]); err != nil {
		return err
	}
	if err := ensureComponents(ctx, lab.ComponentsDir, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "[sandbox] Creating host %q\n", hostName)
	h, err := lab.CreateHost(ctx, hostName)
	if err != nil {
		return err
	}
	args := []string{"init", "--apiserver-advertise-address", h.IP.String()}
	if checks, why := framework.PreflightIgnores(); len(checks) > 0 {
		fmt.Fprintf(stdout, "[sandbox] Ignoring preflight check %s: %s\n", strings.Join(checks, ","), why)
		args = append(args, "--ignore-preflight-errors="+strings.Join(checks, ","))
	}
	fmt.Fprintf(stdout, "[sandbox] Running kadm %s on host %s\n", strings.Join(args, " "), h.Name)
	var out bytes.Buffer
	cmd := h.Command(ctx, "kadm", args...)
	cmd.Stdout = io.MultiWriter(stdout, &out)
	cmd.Stderr = io.MultiWriter(stderr, &out)
	if err := cmd.Run(); err != nil {
		h.TailLogs(stderr, 30)
		return fmt.Errorf("kadm init failed (%w); the host stays for inspection: logs under %s, a shell with `go run ./test/e2e/cmd/sandbox exec -- sh`, removal with `make demo-clean`", err, h.Dir)
	}
	fmt.Fprintln(stdout)
	if join := joinCommands(out.String()); join != "" {
		fmt.Fprintf(stdout, "[sandbox] The join command kadm printed:\n\n%s\n\n", join)
	}
	err = framework.WaitFor(ctx, 2*time.Minute, time.Second, "node "+h.Name+" to register", func(ctx context.Context) error {
		client, err := adminClient(h)
		if err != nil {
			return err
		}
		_, err = client.CoreV1().Nodes().Get(ctx, h.Name, metav1.GetOptions{})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "[sandbox] The nodes of the cluster:")
	fmt.Fprintln(stdout)
	if err := printNodes(ctx, h, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, `
[sandbox] The sandbox stays up.
  admin kubeconfig:  %s (server https://%s:6443)
  run kadm inside:   go run ./test/e2e/cmd/sandbox exec -- kadm version
  node list:         go run ./test/e2e/cmd/sandbox nodes
  logs:              %s
  remove it:         make demo-clean
`, h.Path("/etc/kubernetes/admin.conf"), h.IP, h.StandinDir())
	return nil
}

// ensureComponents builds the control-plane binaries when they are missing.
func ensureComponents(ctx context.Context, dir string, stdout, stderr io.Writer) error {
	if framework.CheckComponents(dir, framework.Components()...) == nil {
		return nil
	}
	root, err := framework.ModuleRoot(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "[sandbox] Building %s into %s (once; a cold build takes minutes)\n", strings.Join(framework.Components(), ", "), dir)
	cmd := exec.CommandContext(ctx, filepath.Join(root, "hack", "build-e2e-bins.sh"), dir)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("hack/build-e2e-bins.sh: %w", err)
	}
	return framework.CheckComponents(dir, framework.Components()...)
}

func execIn(ctx context.Context, lab *framework.Lab, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("exec: name a command, e.g. exec -- kadm version")
	}
	h, err := lab.Attach(hostName)
	if err != nil {
		return err
	}
	cmd := h.Command(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	return cmd.Run()
}

// joinCommands picks the join commands (with their continuation lines) out
// of kadm init's output.
func joinCommands(out string) string {
	var b strings.Builder
	inCommand := false
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimSpace(line)
		if !inCommand && strings.Contains(trimmed, " join ") && strings.Contains(trimmed, "--token") {
			inCommand = true
		}
		if inCommand {
			b.WriteString(line + "\n")
			if !strings.HasSuffix(trimmed, `\`) {
				inCommand = false
				b.WriteString("\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func adminClient(h *framework.Host) (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", h.Path("/etc/kubernetes/admin.conf"))
	if err != nil {
		return nil, err
	}
	cfg.Timeout = 15 * time.Second
	return kubernetes.NewForConfig(cfg)
}

// printNodes prints the nodes as `kubectl get nodes` does.
func printNodes(ctx context.Context, h *framework.Host, w io.Writer) error {
	client, err := adminClient(h)
	if err != nil {
		return err
	}
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tROLES\tAGE\tVERSION")
	for _, n := range nodes.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", n.Name, nodeStatus(n), nodeRoles(n),
			duration.HumanDuration(time.Since(n.CreationTimestamp.Time)), n.Status.NodeInfo.KubeletVersion)
	}
	return tw.Flush()
}

func nodeStatus(n corev1.Node) string {
	status := "Unknown"
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			status = "NotReady"
			if c.Status == corev1.ConditionTrue {
				status = "Ready"
			}
		}
	}
	if n.Spec.Unschedulable {
		status += ",SchedulingDisabled"
	}
	return status
}

func nodeRoles(n corev1.Node) string {
	var roles []string
	for k := range n.Labels {
		if role, ok := strings.CutPrefix(k, "node-role.kubernetes.io/"); ok && role != "" {
			roles = append(roles, role)
		}
	}
	if len(roles) == 0 {
		return "<none>"
	}
	sort.Strings(roles)
	return strings.Join(roles, ",")
}
