package preflight

import (
	"errors"
	"testing"
)

func TestServiceChecks(t *testing.T) {
	t.Parallel()
	fail := errors.New("exit status 1")
	enabled := commands{"systemctl status kubelet": {}, "systemctl is-enabled kubelet": {}, "systemctl is-active kubelet": {out: "active\n"}}
	disabled := commands{"systemctl status kubelet": {}, "systemctl is-enabled kubelet": {err: fail}, "systemctl is-active kubelet": {out: "inactive\n", err: fail}}
	missing := commands{"systemctl status kubelet": {out: "Unit kubelet.service could not be found.", err: fail}}
	firewalld := commands{"systemctl status firewalld": {}, "systemctl is-active firewalld": {out: "active\n"}}
	firewalldOff := commands{"systemctl status firewalld": {}, "systemctl is-active firewalld": {out: "inactive\n", err: fail}}
	noFirewalld := commands{"systemctl status firewalld": {out: "Unit firewalld.service could not be found.", err: fail}}
	runCases(t, []checkCase{
		{name: "enabled", check: Service{Service: "kubelet", InitSystem: withSystemd(enabled)}, wantName: "Service-kubelet"},
		{name: "not enabled", check: Service{Service: "kubelet", InitSystem: withSystemd(disabled)}, wantName: "Service-kubelet",
			warnings: []string{"kubelet service is not enabled, please run 'systemctl enable kubelet.service'"}},
		{name: "not active when required", check: Service{Service: "kubelet", CheckIfActive: true, InitSystem: withSystemd(disabled)}, wantName: "Service-kubelet",
			warnings: []string{"not enabled"}, errs: []string{"kubelet service is not active, please run 'systemctl start kubelet.service'"}},
		{name: "missing", check: Service{Service: "kubelet", InitSystem: withSystemd(missing)}, wantName: "Service-kubelet",
			warnings: []string{"kubelet service does not exist"}},
		{name: "no init system", check: Service{Service: "kubelet", InitSystem: noInitSystem}, wantName: "Service-kubelet",
			warnings: []string{"no supported init system (systemd or OpenRC) detected, skipping checking for services"}},
		{name: "firewalld active", check: Firewalld{Ports: []int{6443, 10250}, InitSystem: withSystemd(firewalld)}, wantName: "Firewalld",
			warnings: []string{"firewalld is active, please ensure ports [6443 10250] are open"}},
		{name: "firewalld inactive", check: Firewalld{Ports: []int{6443}, InitSystem: withSystemd(firewalldOff)}, wantName: "Firewalld"},
		{name: "no firewalld", check: Firewalld{Ports: []int{6443}, InitSystem: withSystemd(noFirewalld)}, wantName: "Firewalld"},
		{name: "firewalld without init system", check: Firewalld{InitSystem: noInitSystem}, wantName: "Firewalld",
			warnings: []string{"skipping checking for services"}},
	})
}
