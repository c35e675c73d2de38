// Command kadm bootstraps Kubernetes nodes; see the README. It also works
// when installed or linked under the name kubeadm.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kadm-project/kadm/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := app.Run(ctx, os.Args, app.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	stop()
	os.Exit(app.ExitCode(err))
}
