package certs

import (
	"path/filepath"

	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/pkiutil"
)

// Tree is the certificate directory a run works in.
type Tree struct {
	// Dir is where new files go.
	Dir string
	// Host is set on a dry run: the machine's own certificate directory,
	// which the run reads and never writes. A file missing from Dir is read
	// from Host where it is, so no key is ever copied out of it, and nothing
	// is signed with a key found there: the dry run reports what it would
	// sign instead of making credentials a real CA trusts.
	Host string
}

// At is the tree of a real run, which reads and writes dir.
func At(dir string) Tree { return Tree{Dir: dir} }

// DryRun is the tree of a dry run that writes into dir and reads what dir
// lacks from host. A host equal to dir is a real run.
func DryRun(dir, host string) Tree {
	if filepath.Clean(dir) == filepath.Clean(host) {
		return At(dir)
	}
	return Tree{Dir: dir, Host: host}
}

// locate is the directory holding c's certificate or key: Dir, else Host,
// else Dir, where a new pair goes. onHost tells that it is Host's.
func (t Tree) locate(c Cert) (dir string, onHost bool) {
	if t.Host == "" || exists(certFile(t.Dir, c)) || exists(keyFile(t.Dir, c)) {
		return t.Dir, false
	}
	if exists(certFile(t.Host, c)) || exists(keyFile(t.Host, c)) {
		return t.Host, true
	}
	return t.Dir, false
}

// shown is the directory a message about a missing file names: the host's
// on a dry run, which is what the user will have to fix.
func (t Tree) shown() string {
	if t.Host != "" {
		return t.Host
	}
	return t.Dir
}

// correctDir gives the existing directory of c's files in a real run
// kubeadm's mode, also when every file there is reused; a new directory gets
// it when the first file is written.
func (t Tree) correctDir(c Cert) error {
	dir := filepath.Dir(certFile(t.Dir, c))
	if t.Host != "" || !exists(dir) {
		return nil
	}
	return atomicfile.Dir(dir, pkiutil.DirMode)
}
