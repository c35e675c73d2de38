// Command etcd is upstream etcd, rebuilt from the Go module proxy at the previous minor release, for the cluster kadm's upgrade e2e tests start from.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
