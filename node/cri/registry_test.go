package cri

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// testRegistry serves one single-layer image over the registry protocol's
// pull half (HTTPS on 127.0.0.1, with a certificate of its own that the
// runtime must be told to trust), and counts the manifest requests, so that
// a real runtime can pull from it.
type testRegistry struct {
	*httptest.Server
	repo, tag string
	manifest  []byte
	blobs     map[string][]byte

	mu        sync.Mutex
	manifests int
}

const (
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

func digest(b []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(b)) }

// newTestRegistry serves repo:tag, whose one layer holds one small file.
func newTestRegistry(t *testing.T, repo, tag string) *testRegistry {
	t.Helper()
	var layer, gz bytes.Buffer
	tw := tar.NewWriter(&layer)
	content := []byte("kadm\n")
	if err := tw.WriteHeader(&tar.Header{Name: "hello", Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write(content)
	tw.Close()
	zw := gzip.NewWriter(&gz)
	zw.Write(layer.Bytes())
	zw.Close()
	config, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config": map[string]any{"Cmd": []string{"/hello"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{digest(layer.Bytes())}},
	})
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": mediaManifest,
		"config": map[string]any{"mediaType": mediaConfig, "digest": digest(config), "size": len(config)},
		"layers": []any{map[string]any{"mediaType": mediaLayer, "digest": digest(gz.Bytes()), "size": gz.Len()}},
	})
	r := &testRegistry{repo: repo, tag: tag, manifest: manifest, blobs: map[string][]byte{digest(config): config, digest(gz.Bytes()): gz.Bytes()}}
	r.Server = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

// host is the registry's host:port, as image names spell it.
func (r *testRegistry) host() string { return strings.TrimPrefix(r.URL, "https://") }

// caPEM is the registry's certificate, which is its own CA.
func (r *testRegistry) caPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate().Raw})
}

// image is the served image's full name.
func (r *testRegistry) image() string { return r.host() + "/" + r.repo + ":" + r.tag }

func (r *testRegistry) manifestRequests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.manifests
}

func (r *testRegistry) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		http.Error(w, "this registry only serves pulls", http.StatusMethodNotAllowed)
		return
	}
	prefix := "/v2/" + r.repo + "/"
	var body []byte
	var media string
	switch p := req.URL.Path; {
	case p == "/v2/":
		w.WriteHeader(http.StatusOK)
		return
	case p == prefix+"manifests/"+r.tag || p == prefix+"manifests/"+digest(r.manifest):
		r.mu.Lock()
		r.manifests++
		r.mu.Unlock()
		body, media = r.manifest, mediaManifest
	case strings.HasPrefix(p, prefix+"blobs/") && r.blobs[strings.TrimPrefix(p, prefix+"blobs/")] != nil:
		body, media = r.blobs[strings.TrimPrefix(p, prefix+"blobs/")], "application/octet-stream"
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
		return
	}
	w.Header().Set("Content-Type", media)
	w.Header().Set("Docker-Content-Digest", digest(body))
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	if req.Method == http.MethodGet {
		w.Write(body)
	}
}
