package framework

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// run runs a command on the test machine and returns its combined output;
// the error carries the output, which is where ip(8) explains itself.
func run(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// subnet is the /24 of one host: the root side holds .1, the host .2.
type subnet struct {
	n       int
	veth    string
	gateway netip.Addr
	addr    netip.Addr
}

// addHostNetwork creates the network namespace and its veth pair. The
// subnet number is claimed by creating the root-side interface, which the
// kernel refuses when the name exists, so concurrent hosts never share one.
func (l *Lab) addHostNetwork(ctx context.Context, ns string) (subnet, error) {
	if _, err := run(ctx, "ip", "netns", "add", ns); err != nil {
		return subnet{}, err
	}
	var s subnet
	for n := 1; n < 255 && s.n == 0; n++ {
		veth := l.VethPrefix + strconv.Itoa(n)
		out, err := run(ctx, "ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
		if err != nil && strings.Contains(out, "File exists") {
			continue
		}
		if err != nil {
			return subnet{}, err
		}
		s = subnet{
			n:       n,
			veth:    veth,
			gateway: netip.AddrFrom4([4]byte{10, byte(l.SecondOctet), byte(n), 1}),
			addr:    netip.AddrFrom4([4]byte{10, byte(l.SecondOctet), byte(n), 2}),
		}
	}
	if s.n == 0 {
		return subnet{}, fmt.Errorf("no free subnet in 10.%d.0.0/16 for lab %s", l.SecondOctet, l.Name)
	}
	steps := [][]string{
		{"ip", "addr", "add", s.gateway.String() + "/24", "dev", s.veth},
		{"ip", "link", "set", s.veth, "up"},
		{"ip", "-n", ns, "addr", "add", s.addr.String() + "/24", "dev", "eth0"},
		{"ip", "-n", ns, "link", "set", "eth0", "up"},
		{"ip", "-n", ns, "link", "set", "lo", "up"},
		{"ip", "-n", ns, "route", "add", "default", "via", s.gateway.String()},
	}
	steps = append(steps, ruleArgs("add", l.rulePref(), s.veth, l.network())...)
	for _, step := range steps {
		if _, err := run(ctx, step[0], step[1:]...); err != nil {
			return s, err
		}
	}
	// Hosts reach each other through the root namespace.
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1"), 0o644); err != nil {
		return s, fmt.Errorf("enable IPv4 forwarding: %w", err)
	}
	return s, nil
}

// rulePref is the priority of the lab's policy routing rules, distinct per
// lab so a sweep finds only its own.
func (l *Lab) rulePref() int { return 1000 + 2*l.SecondOctet }

// network is the lab's address range.
func (l *Lab) network() string { return fmt.Sprintf("10.%d.0.0/16", l.SecondOctet) }

// ruleArgs are the two policy routing rules of a host: what arrives from its
// veth for the lab's range is routed, anything else is refused as
// unreachable, so a host's traffic never leaves the machine even though the
// root namespace forwards.
func ruleArgs(verb string, pref int, veth, network string) [][]string {
	return [][]string{
		{"ip", "rule", verb, "pref", strconv.Itoa(pref), "iif", veth, "to", network, "lookup", "main"},
		{"ip", "rule", verb, "pref", strconv.Itoa(pref + 1), "iif", veth, "unreachable"},
	}
}

func (h *Host) deleteRules(ctx context.Context) error {
	for _, r := range ruleArgs("del", h.RulePref, h.Veth, h.Network) {
		if out, err := run(ctx, r[0], r[1:]...); err != nil && !strings.Contains(out, "No such file") {
			return err
		}
	}
	return nil
}

// deleteLabRules removes every rule with the lab's priorities.
func (l *Lab) deleteLabRules(ctx context.Context) error {
	for _, pref := range []int{l.rulePref(), l.rulePref() + 1} {
		for range 1024 {
			out, err := run(ctx, "ip", "rule", "del", "pref", strconv.Itoa(pref))
			if err != nil {
				if strings.Contains(out, "No such file") {
					break
				}
				return err
			}
		}
	}
	return nil
}

// killNamespace kills every process in a network namespace and waits until
// none is left.
func killNamespace(ctx context.Context, ns string) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		out, err := run(ctx, "ip", "netns", "pids", ns)
		if err != nil {
			if strings.Contains(err.Error(), "No such file") {
				return nil
			}
			return err
		}
		pids := strings.Fields(out)
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %s of namespace %s survive SIGKILL", strings.Join(pids, " "), ns)
		}
		for _, p := range pids {
			if pid, err := strconv.Atoi(p); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func deleteNamespace(ctx context.Context, ns string) error {
	out, err := run(ctx, "ip", "netns", "delete", ns)
	if err != nil && strings.Contains(out, "No such file") {
		return nil
	}
	return err
}

func deleteLink(ctx context.Context, link string) error {
	out, err := run(ctx, "ip", "link", "delete", link)
	if err != nil && strings.Contains(out, "Cannot find device") {
		return nil
	}
	return err
}
