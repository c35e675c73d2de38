package certs

import "path/filepath"

// KeysToGenerate counts the keys that creating certs (and the service
// account pair, with sa) in dir will generate, so that a key pool is warmed
// with what will be used: nothing on a rerun over a complete directory, and
// nothing for the leaves of an external CA.
func KeysToGenerate(dir string, certs []Cert, sa bool) int {
	n := 0
	for _, c := range certs {
		if exists(keyFile(dir, c)) || exists(certFile(dir, c)) {
			continue
		}
		if ca, ok := c.CA(); ok && exists(certFile(dir, ca)) && !exists(keyFile(dir, ca)) {
			continue
		}
		n++
	}
	if sa && !exists(filepath.Join(dir, ServiceAccountKeyFile)) && !exists(filepath.Join(dir, ServiceAccountPubFile)) {
		n++
	}
	return n
}
