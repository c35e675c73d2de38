// Package tlsbootstrap waits for a joining kubelet's TLS bootstrap to end in
// a usable kubelet.conf, and follows its certificate signing request meanwhile.
package tlsbootstrap
