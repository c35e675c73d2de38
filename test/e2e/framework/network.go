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

// run runs a command on the test machine and returns its combined output; the
// error carries the output, which is where ip(8) explains itself.
func run(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

func (l *Lab) addr(third, fourth int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(l.SecondOctet), byte(third), byte(fourth)})
}

// MachineIP is the test machine's address in the lab: hosts reach the machine
// there, through the router.
func (l *Lab) MachineIP() netip.Addr { return l.addr(0, 1) }

func (l *Lab) routerIP() netip.Addr { return l.addr(0, 2) }

// network is the lab's address range.
func (l *Lab) network() string { return fmt.Sprintf("10.%d.0.0/16", l.SecondOctet) }

// ensureRouter creates the lab's router, once: a network namespace of its own
// (named after the lab) that forwards between the hosts and the machine, linked
// to the machine by <LinkPrefix>0. The machine gets one address and one route,
// to the lab's range, and forwards nothing itself; the router knows no route
// out of the lab, so no packet of a host leaves the machine.
func (l *Lab) ensureRouter(ctx context.Context) error {
	l.routerMu.Lock()
	defer l.routerMu.Unlock()
	if _, err := os.Stat("/run/netns/" + l.Name); err == nil {
		return nil
	}
	uplink := l.LinkPrefix + "0"
	steps := [][]string{
		{"ip", "netns", "add", l.Name},
		{"ip", "link", "add", uplink, "type", "veth", "peer", "name", "uplink", "netns", l.Name},
		{"ip", "addr", "add", l.MachineIP().String() + "/30", "dev", uplink},
		{"ip", "link", "set", uplink, "up"},
		{"ip", "-n", l.Name, "addr", "add", l.routerIP().String() + "/30", "dev", "uplink"},
		{"ip", "-n", l.Name, "link", "set", "uplink", "up"},
		{"ip", "-n", l.Name, "link", "set", "lo", "up"},
		{"ip", "route", "add", l.network(), "via", l.routerIP().String(), "dev", uplink},
		// The router's own forwarding; the machine's stays as it is.
		{"nsenter", "--net=/run/netns/" + l.Name, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"},
	}
	for _, step := range steps {
		if _, err := run(ctx, step[0], step[1:]...); err != nil {
			return fmt.Errorf("create the lab's router: %w", err)
		}
	}
	return nil
}

// deleteRouter removes the router and with it every host link and the
// machine's route to the lab.
func (l *Lab) deleteRouter(ctx context.Context) error {
	if err := deleteNamespace(ctx, l.Name); err != nil {
		return err
	}
	return deleteLink(ctx, l.LinkPrefix+"0")
}

// subnet is the /24 of one host: the router holds .1, the host .2 (a /25), its
// Pods .128/25.
type subnet struct {
	n       int
	link    string
	gateway netip.Addr
	addr    netip.Addr
	pods    netip.Prefix
}

// addHostNetwork creates the host's network namespace and its link to the
// router. The subnet number is claimed by creating the router's side of the
// link, which the kernel refuses when the name exists, so concurrent hosts
// never share one.
func (l *Lab) addHostNetwork(ctx context.Context, ns string) (subnet, error) {
	if err := l.ensureRouter(ctx); err != nil {
		return subnet{}, err
	}
	if _, err := run(ctx, "ip", "netns", "add", ns); err != nil {
		return subnet{}, err
	}
	var s subnet
	for n := 1; n < 255 && s.n == 0; n++ {
		link := l.LinkPrefix + strconv.Itoa(n)
		out, err := run(ctx, "ip", "-n", l.Name, "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns)
		if err != nil && strings.Contains(out, "File exists") {
			continue
		}
		if err != nil {
			return subnet{}, err
		}
		s = subnet{n: n, link: link, gateway: l.addr(n, 1), addr: l.addr(n, 2), pods: netip.PrefixFrom(l.addr(n, 128), 25)}
	}
	if s.n == 0 {
		return subnet{}, fmt.Errorf("no free subnet in %s for lab %s", l.network(), l.Name)
	}
	steps := [][]string{
		{"ip", "-n", l.Name, "addr", "add", s.gateway.String() + "/25", "dev", s.link},
		{"ip", "-n", l.Name, "link", "set", s.link, "up"},
		{"ip", "-n", l.Name, "route", "add", s.pods.String(), "via", s.addr.String(), "dev", s.link},
		{"ip", "-n", ns, "addr", "add", s.addr.String() + "/25", "dev", "eth0"},
		{"ip", "-n", ns, "link", "set", "eth0", "up"},
		{"ip", "-n", ns, "link", "set", "lo", "up"},
		{"ip", "-n", ns, "route", "add", "default", "via", s.gateway.String()},
	}
	for _, step := range steps {
		if _, err := run(ctx, step[0], step[1:]...); err != nil {
			return s, err
		}
	}
	return s, nil
}

// SetConnected connects the host to the lab or cuts it off, by setting the
// router's side of its link up or down.
func (l *Lab) SetConnected(ctx context.Context, h *Host, connected bool) error {
	state := "down"
	if connected {
		state = "up"
	}
	_, err := run(ctx, "ip", "-n", l.Name, "link", "set", h.Link, state)
	return err
}

// killNamespace kills every process in a network namespace and waits until none
// is left.
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
