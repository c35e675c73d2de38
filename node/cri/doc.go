// Package cri is kadm's client of the node's container runtime (containerd,
// CRI-O), spoken to over the Container Runtime Interface: is it running, which
// sandbox image it uses, which images it has, pulling them, and removing the
// node's Pods on reset — what kubeadm asks of the runtime, without crictl.
//
// The CRI is gRPC. kadm makes its few unary calls over net/http's HTTP/2 with
// the messages encoded by protowire (wire.go, from cri-api's api.proto), so
// that no gRPC library is linked into kadm: cri-api's generated client and
// grpc-go made the binary 1.9 MB (9%) larger, k8s.io/cri-client more still.
// The tests serve the CRI with cri-api's generated server and grpc-go, which
// checks this client against the real thing, and run the machine's containerd.
package cri
