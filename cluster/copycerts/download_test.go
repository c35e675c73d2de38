package copycerts

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/pkiutil"
)

var quick = objects.Policy{Timeout: time.Second, Interval: time.Millisecond}

// uploaded returns a clientset holding the kubeadm-certs Secret of a fresh
// certificates directory, and that directory's content by entry.
func uploaded(t *testing.T) (*fake.Clientset, map[string][]byte) {
	t.Helper()
	src := t.TempDir()
	plain := pki(t, src)
	data, err := Bundle(Files(src, nil), testKey)
	if err != nil {
		t.Fatal(err)
	}
	cs := fake.NewClientset()
	if err := Upload(t.Context(), &objects.Client{Clientset: kubefake.Wrap(cs), Policy: quick}, data, time.Now()); err != nil {
		t.Fatal(err)
	}
	return cs, plain
}

// editCerts changes the stored kubeadm-certs Secret's data.
func editCerts(t *testing.T, cs *fake.Clientset, edit func(data map[string][]byte)) {
	t.Helper()
	s, err := cs.CoreV1().Secrets("kube-system").Get(t.Context(), "kubeadm-certs", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	edit(s.Data)
	if _, err := cs.CoreV1().Secrets("kube-system").Update(t.Context(), s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func seal(t *testing.T, plain []byte) []byte {
	t.Helper()
	key, _ := hex.DecodeString(testKey)
	b, err := Encrypt(plain, key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDownload(t *testing.T) {
	t.Parallel()
	cs, plain := uploaded(t)
	dir := filepath.Join(t.TempDir(), "pki")
	// An earlier kadm made pki/ private: the mode is corrected to the one
	// the certs phase gives it.
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	files := Files(dir, nil)
	for range 2 {
		if err := Download(t.Context(), kubefake.Wrap(cs), quick, testKey, files); err != nil {
			t.Fatalf("Download: %v", err)
		}
	}
	for _, f := range files {
		got, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain[f.Entry]) {
			t.Errorf("%s differs from the uploaded file", f.Path)
		}
		info, _ := os.Stat(f.Path)
		if info.Mode().Perm() != f.Content.Mode() {
			t.Errorf("%s has mode %v, want %v", f.Path, info.Mode().Perm(), f.Content.Mode())
		}
	}
	for _, d := range []string{dir, filepath.Join(dir, "etcd")} {
		if info, err := os.Stat(d); err != nil || info.Mode().Perm() != pkiutil.DirMode {
			t.Errorf("directory %s: %v, %v; want the certs phase's mode %04o", d, info.Mode().Perm(), err, pkiutil.DirMode)
		}
	}
	if m := Certificate.Mode(); m != 0o644 {
		t.Errorf("certificate mode %v", m)
	}
	if m := PublicKey.Mode(); m != 0o600 {
		t.Errorf("sa.pub mode %v, want kubeadm's 0600", m)
	}
}

func TestDownloadErrors(t *testing.T) {
	t.Parallel()
	otherCA, otherKey := keyPair(t, true)
	tests := []struct {
		name    string
		key     string
		prepare func(t *testing.T, cs *fake.Clientset)
		want    error
		noCalls bool
	}{
		{name: "malformed key, checked before any API call", key: "00ff", want: ErrMalformedKey, noCalls: true},
		{name: "wrong key", key: strings.Repeat("ab", 32), want: ErrWrongKey},
		{name: "altered entry", key: testKey, want: ErrTampered, prepare: func(t *testing.T, cs *fake.Clientset) {
			editCerts(t, cs, func(d map[string][]byte) { d["sa.key"][len(d["sa.key"])-1] ^= 1 })
		}},
		{name: "truncated entry", key: testKey, want: ErrTampered, prepare: func(t *testing.T, cs *fake.Clientset) {
			editCerts(t, cs, func(d map[string][]byte) { d["ca.crt"] = d["ca.crt"][:10] })
		}},
		{name: "missing Secret", key: testKey, want: ErrSecretNotFound, prepare: func(t *testing.T, cs *fake.Clientset) {
			if err := cs.CoreV1().Secrets("kube-system").Delete(t.Context(), "kubeadm-certs", metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "owning token expired", key: testKey, want: ErrSecretExpired, prepare: func(t *testing.T, cs *fake.Clientset) {
			tok := owner(t, cs)
			tok.Data["expiration"] = []byte(time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))
			if _, err := cs.CoreV1().Secrets("kube-system").Update(t.Context(), tok, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "owning token deleted", key: testKey, want: ErrSecretExpired, prepare: func(t *testing.T, cs *fake.Clientset) {
			if err := cs.CoreV1().Secrets("kube-system").Delete(t.Context(), owner(t, cs).Name, metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "entry is not a certificate", key: testKey, want: ErrInvalidContent, prepare: func(t *testing.T, cs *fake.Clientset) {
			editCerts(t, cs, func(d map[string][]byte) { d["front-proxy-ca.crt"] = seal(t, []byte("hello")) })
		}},
		{name: "key does not match its certificate", key: testKey, want: ErrInvalidContent, prepare: func(t *testing.T, cs *fake.Clientset) {
			editCerts(t, cs, func(d map[string][]byte) { d["ca.key"] = seal(t, otherKey) })
		}},
		{name: "certificate does not match its key", key: testKey, want: ErrInvalidContent, prepare: func(t *testing.T, cs *fake.Clientset) {
			editCerts(t, cs, func(d map[string][]byte) { d["etcd-ca.crt"] = seal(t, otherCA) })
		}},
		{name: "entry missing", key: testKey, want: ErrInvalidContent, prepare: func(t *testing.T, cs *fake.Clientset) {
			editCerts(t, cs, func(d map[string][]byte) { delete(d, "sa.pub") })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs, _ := uploaded(t)
			if tt.prepare != nil {
				tt.prepare(t, cs)
			}
			cs.ClearActions()
			dir := t.TempDir()
			err := Download(t.Context(), kubefake.Wrap(cs), quick, tt.key, Files(dir, nil))
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.key) {
				t.Errorf("error shows the certificate key: %v", err)
			}
			if tt.noCalls && len(cs.Actions()) > 0 {
				t.Errorf("API calls made with a malformed key: %v", cs.Actions())
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("files written despite the error: %v", entries)
			}
		})
	}
}

func owner(t *testing.T, cs *fake.Clientset) *corev1.Secret {
	t.Helper()
	s, err := cs.CoreV1().Secrets("kube-system").Get(t.Context(), "kubeadm-certs", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cs.CoreV1().Secrets("kube-system").Get(t.Context(), s.OwnerReferences[0].Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestWriteIsAllOrNothing(t *testing.T) {
	t.Parallel()
	cs, _ := uploaded(t)
	secret, err := cs.CoreV1().Secrets("kube-system").Get(t.Context(), "kubeadm-certs", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := Files(dir, nil)
	opened, err := Open(secret, testKey, files)
	if err != nil {
		t.Fatal(err)
	}
	// An old ca.crt to restore, and a directory where sa.key goes so that
	// the write fails after several files are in place.
	old := []byte("old ca.crt")
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), old, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sa.key", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(files, opened); err == nil {
		t.Fatal("Write succeeded over a directory")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "ca.crt")); !bytes.Equal(got, old) {
		t.Errorf("ca.crt = %q, want the old content restored", got)
	}
	for _, name := range []string{"ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "sa.pub"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind after a failed write: %v", name, err)
		}
	}
}
