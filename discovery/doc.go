// Package discovery establishes trust in a cluster before joining it: token
// discovery with CA pinning (or an explicit unsafe skip), file and HTTPS
// discovery, each ending in a bootstrap kubeconfig.
package discovery
