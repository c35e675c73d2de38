package certs

import "path/filepath"

// KeysToGenerate counts the keys that creating certs (and the service
// account pair, with sa) in t will generate, so that a key pool is warmed
// with what will be used: nothing on a rerun over a complete directory,
// nothing for the leaves of an external CA, and on a dry run nothing for
// what the host has or what a host CA would sign.
func KeysToGenerate(t Tree, certs []Cert, sa bool) int {
	n := 0
	for _, c := range certs {
		if dir, _ := t.locate(c); exists(keyFile(dir, c)) || exists(certFile(dir, c)) {
			continue
		}
		if ca, ok := c.CA(); ok {
			caDir, onHost := t.locate(ca)
			if onHost || exists(certFile(caDir, ca)) && !exists(keyFile(caDir, ca)) {
				continue
			}
		}
		n++
	}
	if sa && !hasServiceAccountKey(t.Dir) && (t.Host == "" || !hasServiceAccountKey(t.Host)) {
		n++
	}
	return n
}

// hasServiceAccountKey tells whether dir holds either half of the service
// account key pair.
func hasServiceAccountKey(dir string) bool {
	return exists(filepath.Join(dir, ServiceAccountKeyFile)) || exists(filepath.Join(dir, ServiceAccountPubFile))
}
