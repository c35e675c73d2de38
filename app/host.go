package app

import (
	"errors"
	"fmt"
	"os"
	"strings"

	utilnet "k8s.io/apimachinery/pkg/util/net"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/phases/options"
)

// The defaults below come from the host rather than from constants, the
// way kubeadm's dynamic defaulting works; config's defaulting stays pure.

// nodeHostDefaults fills the node name (the host name, lowercased) and the
// CRI socket (the one runtime whose socket exists). With no runtime found it
// falls back to containerd's socket as kubeadm does, so that the preflight CRI
// check, which --ignore-preflight-errors can silence, reports the missing
// runtime.
func nodeHostDefaults(nr *config.NodeRegistrationOptions) error {
	if nr.Name == "" {
		host, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("read the host name for nodeRegistration.name: %w (pass --%s)", err, options.NodeName)
		}
		nr.Name = strings.ToLower(host)
	}
	switch socket, err := config.DetectCRISocket(exists); {
	case nr.CRISocket != "":
		nr.CRISocket = config.CRISocketURL(nr.CRISocket)
	case errors.Is(err, config.ErrNoCRISocket):
		nr.CRISocket = config.DefaultCRISocket
	case err != nil:
		return usagef("%v", err)
	default:
		nr.CRISocket = socket
	}
	return nil
}

// advertiseAddress fills an empty advertise address with the address of the
// interface that holds the default route.
func advertiseAddress(addr *string) error {
	if *addr != "" {
		return nil
	}
	ip, err := utilnet.ChooseHostInterface()
	if err != nil {
		return usagef("choose the API server's advertise address: %v; pass --%s", err, options.APIServerAdvertiseAddress)
	}
	*addr = ip.String()
	return nil
}

// initHostDefaults applies the host defaults of `kadm init` and generates
// the bootstrap tokens the configuration leaves empty.
func initHostDefaults(cfg *config.InitConfiguration) error {
	if err := nodeHostDefaults(&cfg.NodeRegistration); err != nil {
		return err
	}
	if err := advertiseAddress(&cfg.LocalAPIEndpoint.AdvertiseAddress); err != nil {
		return err
	}
	if len(cfg.BootstrapTokens) == 0 {
		cfg.BootstrapTokens = []config.BootstrapToken{{}}
	}
	for i := range cfg.BootstrapTokens {
		if cfg.BootstrapTokens[i].Token != nil {
			continue
		}
		tok, err := bootstraputil.GenerateBootstrapToken()
		if err != nil {
			return fmt.Errorf("generate a bootstrap token: %w", err)
		}
		if cfg.BootstrapTokens[i].Token, err = config.NewBootstrapTokenString(tok); err != nil {
			return fmt.Errorf("generate a bootstrap token: %w", err)
		}
	}
	return nil
}

// joinHostDefaults applies the host defaults of `kadm join`.
func joinHostDefaults(cfg *config.JoinConfiguration) error {
	if err := nodeHostDefaults(&cfg.NodeRegistration); err != nil {
		return err
	}
	if cfg.ControlPlane == nil {
		return nil
	}
	return advertiseAddress(&cfg.ControlPlane.LocalAPIEndpoint.AdvertiseAddress)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
