package joinphases

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

const endpointArg = "[api-server-endpoint]"

var discoveryFlags = []string{
	options.DiscoveryFile, options.DiscoveryToken, options.DiscoveryTokenCACertHash,
	options.DiscoveryTokenUnsafeSkip, options.TLSBootstrapToken, options.Token,
}

// controlPlaneJoinFlags are the flags of etcd-join and control-plane-join's
// phases: kubeadm's, with the extra ones a phase needs.
func controlPlaneJoinFlags(extra ...string) []string {
	return append([]string{options.Config, options.ControlPlane, options.NodeName, options.DryRun}, extra...)
}

func flags(names ...[]string) []string {
	var all []string
	for _, n := range names {
		all = append(all, n...)
	}
	return all
}

// Phases is the join workflow in kubeadm v1.37's order. With
// ControlPlaneKubeletLocalMode (GA since v1.35) a control-plane node's kubelet
// bootstraps with this node's own API server, which answers only once its
// etcd member has joined: so etcd-join comes between kubelet-start and
// kubelet-wait-bootstrap.
func Phases() []workflow.Phase[Data] {
	endpoint := cobra.MaximumNArgs(1)
	return []workflow.Phase[Data]{
		{
			Name:      "preflight",
			ArgsUsage: endpointArg,
			Short:     "Run join pre-flight checks",
			Long:      "Run pre-flight checks for kubeadm join.",
			Example:   "  # Run join pre-flight checks using a config file.\n  kubeadm join phase preflight --config kubeadm-config.yaml",
			Run: func(ctx context.Context, d Data) error {
				return runPreflight(ctx, d, d.Host())
			},
			InheritFlags: flags(discoveryFlags, []string{options.Config, options.IgnorePreflightErrors, options.ControlPlane,
				options.APIServerAdvertiseAddress, options.APIServerBindPort, options.CRISocket, options.NodeName, options.CertificateKey, options.DryRun}),
			ArgsValidator: endpoint,
		},
		{
			Name:    "control-plane-prepare",
			Short:   "Prepare the machine for serving a control plane",
			Example: "  # Prepares the machine for serving a control plane\n  kubeadm join phase control-plane-prepare all",
			WithAll: true,
			RunIf:   isControlPlane,
			// The "all" command takes the endpoint like its children.
			ArgsUsage:     endpointArg,
			ArgsValidator: endpoint,
			Phases: []workflow.Phase[Data]{
				{
					Name: "download-certs", ArgsUsage: endpointArg, ArgsValidator: endpoint,
					Short:        "Download certificates shared among control-plane nodes from the kubeadm-certs Secret",
					Run:          runDownloadCerts,
					InheritFlags: flags(discoveryFlags, []string{options.Config, options.ControlPlane, options.CertificateKey, options.DryRun}),
				},
				{
					Name: "certs", ArgsUsage: endpointArg, ArgsValidator: endpoint,
					Short: "Generate the certificates for the new control plane components",
					Run:   runControlPlaneCerts,
					InheritFlags: flags(discoveryFlags, []string{options.Config, options.ControlPlane, options.NodeName,
						options.APIServerAdvertiseAddress, options.DryRun}),
				},
				{
					Name: "kubeconfig", ArgsUsage: endpointArg, ArgsValidator: endpoint,
					Short:        "Generate the kubeconfig for the new control plane components",
					Run:          runControlPlaneKubeconfigs,
					InheritFlags: flags(discoveryFlags, []string{options.Config, options.ControlPlane, options.CertificateKey, options.DryRun}),
				},
				{
					Name:  "control-plane",
					Short: "Generate the manifests for the new control plane components",
					Run:   runControlPlaneManifests,
					InheritFlags: []string{options.Config, options.ControlPlane, options.APIServerAdvertiseAddress,
						options.APIServerBindPort, options.Patches, options.DryRun},
				},
			},
		},
		{
			Name:         "check-etcd",
			Short:        "Check that the local etcd cluster is healthy before adding a member",
			Hidden:       true,
			RunIf:        isControlPlane,
			Run:          runCheckEtcd,
			InheritFlags: []string{options.Config, options.ControlPlane, options.DryRun},
		},
		{
			Name:      "kubelet-start",
			ArgsUsage: endpointArg,
			Short:     "Write kubelet settings, certificates and (re)start the kubelet",
			Long:      "Write a file with KubeletConfiguration and an environment file with node specific kubelet settings, and then (re)start kubelet.",
			Run: func(ctx context.Context, d Data) error {
				return runKubeletStart(ctx, d, hostOf(d))
			},
			InheritFlags: flags(discoveryFlags, []string{options.Config, options.CRISocket, options.NodeName,
				options.Patches, options.DryRun}),
			ArgsValidator: endpoint,
		},
		{
			Name:    "etcd-join",
			Short:   "Join etcd for control plane nodes",
			Example: "  # Joins etcd for a control plane instance\n  kubeadm join phase etcd-join",
			// kubeadm's reference pages had it as a child of control-plane-join.
			FormerPaths:  []string{"control-plane-join/etcd"},
			RunIf:        isControlPlane,
			Run:          runEtcdJoin,
			InheritFlags: controlPlaneJoinFlags(options.Patches, options.APIServerAdvertiseAddress),
		},
		{
			Name:  "kubelet-wait-bootstrap",
			Short: "Wait for the kubelet to bootstrap itself",
			Run: func(ctx context.Context, d Data) error {
				return runKubeletWaitBootstrap(ctx, d, hostOf(d))
			},
			InheritFlags: []string{options.Config, options.CRISocket, options.DryRun},
		},
		{
			Name:    "control-plane-join",
			Short:   "Join a machine as a control plane instance",
			Example: "  # Joins a machine as a control plane instance\n  kubeadm join phase control-plane-join all",
			WithAll: true,
			RunIf:   isControlPlane,
			// The flags of kubeadm's "all", from when etcd was a child.
			InheritFlags: controlPlaneJoinFlags(options.Patches, options.APIServerAdvertiseAddress),
			Phases: []workflow.Phase[Data]{
				{
					Name:         "mark-control-plane",
					Short:        "Mark a node as a control-plane",
					Run:          runMarkControlPlane,
					InheritFlags: controlPlaneJoinFlags(),
				},
			},
		},
		{
			Name:         "wait-control-plane",
			Short:        "Wait for the control plane to start",
			RunIf:        isControlPlane,
			Run:          runWaitControlPlane,
			InheritFlags: []string{options.Config, options.ControlPlane, options.DryRun},
		},
	}
}
