// Command package builds kadm's .deb and .rpm from packaging/nfpm.yaml with
// nfpm, outside kadm's own module so that the product's go.mod stays small.
//
//	go run ./packaging/tools -binary bin/kadm -version 1.37.2 -out bin
//
// (run from packaging/tools: go run . -config ../nfpm.yaml ...). The RPM's
// drop-in is the one drop-in with /etc/sysconfig/kubelet for
// /etc/default/kubelet, as on RPM-based systems.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	var p params
	flag.StringVar(&p.config, "config", "../nfpm.yaml", "the nfpm configuration")
	flag.StringVar(&p.dropIn, "drop-in", "../systemd/kubelet.service.d/10-kubeadm.conf", "the kubelet drop-in")
	flag.StringVar(&p.binary, "binary", "", "the kadm binary to package (required)")
	flag.StringVar(&p.version, "version", "", "the package version, e.g. 1.37.2 (required)")
	flag.StringVar(&p.out, "out", ".", "the directory to write the packages to")
	flag.Parse()
	if p.binary == "" || p.version == "" {
		fmt.Fprintln(os.Stderr, "package: -binary and -version are required")
		flag.Usage()
		os.Exit(2)
	}
	paths, err := build(p, []string{"deb", "rpm"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "package:", err)
		os.Exit(1)
	}
	for _, path := range paths {
		fmt.Println(path)
	}
}
