// Command etcd is upstream etcd, rebuilt from the Go module proxy for kadm's e2e tests.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
