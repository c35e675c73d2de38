// Command sandbox runs kadm's main job on a local sandbox host: `up` builds
// what it needs, creates a host, runs kadm init in it and prints the join
// command and the node list; `down` removes the host again.
//
//	go run ./test/e2e/cmd/sandbox up      # make demo
//	go run ./test/e2e/cmd/sandbox nodes
//	go run ./test/e2e/cmd/sandbox exec -- kadm version
//	go run ./test/e2e/cmd/sandbox down    # make demo-clean
//
// It needs root, like the e2e suite whose hosts it reuses (test/e2e/framework).
package main
