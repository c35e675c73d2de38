package kubeconfig

import (
	"fmt"
	"net"
	"net/url"
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation"
	netutils "k8s.io/utils/net"

	"github.com/kadm-project/kadm/config"
)

// LocalURL is this node's own API server, https://advertiseAddress:bindPort.
// The components on a control-plane node use it so that they keep working
// when the load balancer in front of the control plane does not.
func LocalURL(local config.APIEndpoint) (string, error) {
	ip := netutils.ParseIPSloppy(local.AdvertiseAddress)
	if ip == nil {
		return "", fmt.Errorf("advertise address %q is not an IP address: set localAPIEndpoint.advertiseAddress or --apiserver-advertise-address", local.AdvertiseAddress)
	}
	port, err := bindPort(local)
	if err != nil {
		return "", err
	}
	return httpsURL(ip.String(), port), nil
}

// ControlPlaneURL is the address clients outside the node use: the
// controlPlaneEndpoint, with the local bind port when it names none, or the
// local API server when there is no controlPlaneEndpoint.
func ControlPlaneURL(controlPlaneEndpoint string, local config.APIEndpoint) (string, error) {
	if controlPlaneEndpoint == "" {
		return LocalURL(local)
	}
	host, port, err := net.SplitHostPort(controlPlaneEndpoint)
	if err != nil {
		// No port (or a bare IPv6 address): the whole value is the host.
		host, port = controlPlaneEndpoint, ""
	}
	if netutils.ParseIPSloppy(host) == nil && len(validation.IsDNS1123Subdomain(host)) > 0 {
		return "", fmt.Errorf("controlPlaneEndpoint %q: %q is neither an IP address nor a DNS name", controlPlaneEndpoint, host)
	}
	if port == "" {
		if port, err = bindPort(local); err != nil {
			return "", err
		}
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("controlPlaneEndpoint %q: port %q is not a number between 1 and 65535", controlPlaneEndpoint, port)
	}
	return httpsURL(host, port), nil
}

func bindPort(local config.APIEndpoint) (string, error) {
	if local.BindPort < 1 || local.BindPort > 65535 {
		return "", fmt.Errorf("bind port %d is not between 1 and 65535: set localAPIEndpoint.bindPort or --apiserver-bind-port", local.BindPort)
	}
	return strconv.Itoa(int(local.BindPort)), nil
}

func httpsURL(host, port string) string {
	return (&url.URL{Scheme: "https", Host: net.JoinHostPort(host, port)}).String()
}
