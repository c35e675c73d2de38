// Command sandbox runs kadm's main job on local sandbox hosts with real kubelets
// and containerd: `up` builds what it needs, creates a control-plane host and a
// worker host, runs kadm init on the first and the join command it printed on
// the second, then prints the nodes and the kube-system Pods; `down` removes
// the hosts again.
//
//	go run ./test/e2e/cmd/sandbox up      # make demo
//	go run ./test/e2e/cmd/sandbox nodes
//	go run ./test/e2e/cmd/sandbox exec -host demo-worker -- crictl ps
//	go run ./test/e2e/cmd/sandbox down    # make demo-clean
//
// It needs root, like the e2e suite whose hosts it reuses (test/e2e/framework).
package main
