// Package noderole marks a registered Node as a control-plane node: the role labels
// that load balancers and schedulers read, and the taints that keep ordinary workloads away.
package noderole
