package fakeapi

import (
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/client-go/kubernetes/scheme"
)

// Server is one fake API server.
type Server struct {
	// URL is https://127.0.0.1:port.
	URL string
	// CA is the PEM certificate the server presents, its own CA.
	CA []byte
	// Intercept, when set, sees every request first and answers it when it
	// returns true: to delay, hang or fail chosen requests.
	Intercept func(w http.ResponseWriter, r *http.Request) bool

	srv     *httptest.Server
	mu      sync.Mutex
	objects map[string]map[string]map[string]any // by collection path, then name
	tokens  map[string]string                    // bearer token to user
	rv      int
	log     []string
}

// Start serves a new Server until t ends. Clients authenticate with a token
// given to AcceptToken or with any client certificate, as its common name;
// without either they are anonymous, which may only read cluster-info.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{objects: map[string]map[string]map[string]any{}, tokens: map[string]string{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	s.CA = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
	return s
}

// AcceptToken makes token authenticate as user.
func (s *Server) AcceptToken(token, user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = user
}

// Requests lists "METHOD path" of every request so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Put stores obj as if it had been created.
func (s *Server) Put(t testing.TB, obj runtime.Object) {
	t.Helper()
	gvks, _, err := scheme.Scheme.ObjectKinds(obj)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["apiVersion"], m["kind"] = gvks[0].GroupVersion().String(), gvks[0].Kind
	meta, _ := m["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	coll := collection(gvks[0].Group, gvks[0].Version, ns, resourceOf(gvks[0].Kind))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store(coll, name, m)
}

// Object returns the stored object at collection/name ("/api/v1/namespaces/
// kube-system/secrets", "bootstrap-token-abcdef"), nil when there is none.
func (s *Server) Object(collectionPath, name string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[collectionPath][name]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.log = append(s.log, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	if s.Intercept != nil && s.Intercept(w, r) {
		return
	}
	user, known := s.user(r)
	if !known {
		status(w, http.StatusUnauthorized, "Unauthorized", "the token is not known")
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/apis/authentication.k8s.io/v1/selfsubjectreviews" {
		write(w, http.StatusCreated, map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview",
			"status": map[string]any{"userInfo": map[string]any{"username": user}}})
		return
	}
	coll, name, ok := parse(r.URL.Path)
	if !ok {
		status(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource")
		return
	}
	if user == "" && !(r.Method == http.MethodGet && coll == "/api/v1/namespaces/kube-public/configmaps" && name == "cluster-info") {
		status(w, http.StatusForbidden, "Forbidden", "anonymous users may only read cluster-info")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && name == "":
		s.list(w, coll)
	case r.Method == http.MethodGet:
		s.get(w, coll, name)
	case r.Method == http.MethodPost:
		s.create(w, r, coll)
	case r.Method == http.MethodPut:
		s.update(w, r, coll, name)
	case r.Method == http.MethodPatch:
		s.patch(w, r, coll, name)
	case r.Method == http.MethodDelete:
		s.delete(w, coll, name)
	default:
		status(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method+" is not supported")
	}
}

func (s *Server) user(r *http.Request) (string, bool) {
	if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		s.mu.Lock()
		defer s.mu.Unlock()
		user, known := s.tokens[token]
		return user, known
	}
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		return r.TLS.PeerCertificates[0].Subject.CommonName, true
	}
	return "", true
}

func (s *Server) list(w http.ResponseWriter, coll string) {
	items := []any{}
	names := make([]string, 0, len(s.objects[coll]))
	for n := range s.objects[coll] {
		names = append(names, n)
	}
	slices.Sort(names)
	kind, version := "List", "v1"
	for _, n := range names {
		obj := s.objects[coll][n]
		items = append(items, obj)
		kind, version = obj["kind"].(string)+"List", obj["apiVersion"].(string)
	}
	if len(names) == 0 {
		if gvk, ok := kindOfCollection(coll); ok {
			kind, version = gvk[1]+"List", gvk[0]
		}
	}
	write(w, http.StatusOK, map[string]any{"apiVersion": version, "kind": kind, "metadata": map[string]any{"resourceVersion": strconv.Itoa(s.rv)}, "items": items})
}

func (s *Server) get(w http.ResponseWriter, coll, name string) {
	obj, ok := s.objects[coll][name]
	if !ok {
		notFound(w, coll, name)
		return
	}
	write(w, http.StatusOK, obj)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, coll string) {
	obj, err := decode(r.Body)
	if err != nil {
		status(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if _, exists := s.objects[coll][name]; exists {
		status(w, http.StatusConflict, "AlreadyExists", fmt.Sprintf("%s %q already exists", path.Base(coll), name))
		return
	}
	write(w, http.StatusCreated, s.store(coll, name, obj))
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, coll, name string) {
	if _, ok := s.objects[coll][name]; !ok {
		notFound(w, coll, name)
		return
	}
	obj, err := decode(r.Body)
	if err != nil {
		status(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	write(w, http.StatusOK, s.store(coll, name, obj))
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request, coll, name string) {
	live, ok := s.objects[coll][name]
	if !ok {
		notFound(w, coll, name)
		return
	}
	patch, err := io.ReadAll(r.Body)
	if err != nil {
		status(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	doc, _ := json.Marshal(live)
	merged, err := jsonpatch.MergePatch(doc, patch)
	if err != nil {
		status(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	var obj map[string]any
	if err := json.Unmarshal(merged, &obj); err != nil {
		status(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	write(w, http.StatusOK, s.store(coll, name, obj))
}

func (s *Server) delete(w http.ResponseWriter, coll, name string) {
	if _, ok := s.objects[coll][name]; !ok {
		notFound(w, coll, name)
		return
	}
	delete(s.objects[coll], name)
	write(w, http.StatusOK, map[string]any{"apiVersion": "v1", "kind": "Status", "status": "Success"})
}

// store keeps obj under coll/name with the metadata the API server sets.
func (s *Server) store(coll, name string, obj map[string]any) map[string]any {
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	old := s.objects[coll][name]
	if oldMeta, ok := old["metadata"].(map[string]any); ok {
		meta["uid"], meta["creationTimestamp"] = oldMeta["uid"], oldMeta["creationTimestamp"]
	} else {
		meta["uid"], meta["creationTimestamp"] = string(uuid.NewUUID()), time.Now().UTC().Format(time.RFC3339)
	}
	s.rv++
	meta["resourceVersion"] = strconv.Itoa(s.rv)
	if ns := namespaceOf(coll); ns != "" {
		meta["namespace"] = ns
	}
	if s.objects[coll] == nil {
		s.objects[coll] = map[string]map[string]any{}
	}
	s.objects[coll][name] = obj
	return obj
}

// parse splits an API path into its collection and object name.
func parse(p string) (coll, name string, ok bool) {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	var base int
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		base = 2
	case len(parts) >= 4 && parts[0] == "apis":
		base = 3
	default:
		return "", "", false
	}
	rest := parts[base:]
	if len(rest) >= 3 && rest[0] == "namespaces" {
		base += 2
		rest = rest[2:]
	}
	switch len(rest) {
	case 1:
		return "/" + strings.Join(parts[:base+1], "/"), "", true
	case 2:
		return "/" + strings.Join(parts[:base+1], "/"), rest[1], true
	}
	return "", "", false
}

func collection(group, version, ns, resource string) string {
	p := "/api/" + version
	if group != "" {
		p = "/apis/" + group + "/" + version
	}
	if ns != "" {
		p += "/namespaces/" + ns
	}
	return p + "/" + resource
}

func namespaceOf(coll string) string {
	parts := strings.Split(coll, "/")
	for i := range parts[:len(parts)-1] {
		if parts[i] == "namespaces" {
			return parts[i+1]
		}
	}
	return ""
}

// resourceOf is the resource name of the kinds kadm writes.
func resourceOf(kind string) string {
	r := strings.ToLower(kind)
	if strings.HasSuffix(r, "s") {
		return r + "es"
	}
	return r + "s"
}

// kindOfCollection is the version and kind of an empty collection's items.
func kindOfCollection(coll string) ([2]string, bool) {
	parts := strings.Split(strings.TrimPrefix(coll, "/"), "/")
	version := parts[1]
	if parts[0] == "apis" {
		version = parts[1] + "/" + parts[2]
	}
	resource := parts[len(parts)-1]
	for gvk := range scheme.Scheme.AllKnownTypes() {
		if gvk.GroupVersion().String() == version && resourceOf(gvk.Kind) == resource {
			return [2]string{version, gvk.Kind}, true
		}
	}
	return [2]string{}, false
}

// decode reads a request body in any of the encodings client-go sends
// (protobuf for built-in kinds, JSON otherwise) as JSON fields.
func decode(body io.Reader) (map[string]any, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	typed, gvk, err := scheme.Codecs.UniversalDeserializer().Decode(data, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("decode the request body: %w", err)
	}
	b, err := json.Marshal(typed)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, err
	}
	obj["apiVersion"], obj["kind"] = gvk.GroupVersion().String(), gvk.Kind
	return obj, nil
}

func write(w http.ResponseWriter, code int, obj any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(obj)
}

func status(w http.ResponseWriter, code int, reason, message string) {
	write(w, code, map[string]any{"apiVersion": "v1", "kind": "Status", "status": "Failure", "reason": reason, "message": message, "code": code})
}

func notFound(w http.ResponseWriter, coll, name string) {
	write(w, http.StatusNotFound, map[string]any{"apiVersion": "v1", "kind": "Status", "status": "Failure", "reason": "NotFound",
		"message": fmt.Sprintf("%s %q not found", path.Base(coll), name), "code": http.StatusNotFound,
		"details": map[string]any{"name": name, "kind": path.Base(coll)}})
}
