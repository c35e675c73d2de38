package patches

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Set is the content of one patches directory, read once and applied to as
// many documents as the caller generates.
type Set struct {
	dir     string
	files   []file
	ignored []Ignored
}

// file is one patch file: every YAML document in it is a patch of the same
// type, kept as JSON because every patch library works on JSON.
type file struct {
	name    string
	target  string
	typ     types.PatchType
	patches [][]byte
}

// Ignored is a file of the directory that holds no patch, with the reason,
// so that the caller can tell the user why a file had no effect.
type Ignored struct {
	File   string
	Reason string
	// Empty is true for an empty file, which kubeadm reports in its own words.
	Empty bool
}

// Load reads every patch file under dir. Files are taken in the order of
// their paths, each directory's entries sorted by name and visited
// depth-first, which is the order kubeadm applies them in; that order is what
// the "suffix" in a file name is for. Each patch is checked here, so that a
// malformed file is reported before anything is generated.
func Load(dir string) (*Set, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("read the patches directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("read the patches directory: %s is not a directory", dir)
	}
	s := &Set{dir: dir}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		return s.add(path, rel, d.Name())
	})
	if err != nil {
		return nil, fmt.Errorf("read the patches directory %s: %w", dir, err)
	}
	return s, nil
}

func (s *Set) add(path, rel, base string) error {
	target, typ, skip, err := parseName(base)
	if err != nil {
		return fmt.Errorf("patch file %q: %w", rel, err)
	}
	if skip != "" {
		s.ignored = append(s.ignored, Ignored{File: rel, Reason: skip})
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		s.ignored = append(s.ignored, Ignored{File: rel, Reason: "the file is empty", Empty: true})
		return nil
	}
	docs, err := splitDocuments(data, typ)
	if err != nil {
		return fmt.Errorf("patch file %q: %w", rel, err)
	}
	s.files = append(s.files, file{name: rel, target: target, typ: typ, patches: docs})
	return nil
}

// splitDocuments turns each YAML (or JSON) document into JSON and checks that
// it has the shape its patch type needs: a list of operations for a JSON
// patch, an object otherwise.
func splitDocuments(data []byte, typ types.PatchType) ([][]byte, error) {
	var docs [][]byte
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for n := 1; ; n++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("split into YAML documents: %w", err)
		}
		doc = bytes.TrimSpace(doc)
		if len(doc) == 0 {
			continue
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d is neither YAML nor JSON: %w", n, err)
		}
		if string(js) == "null" {
			// Only comments: nothing to apply.
			continue
		}
		if err := checkShape(js, typ); err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		docs = append(docs, js)
	}
}

func checkShape(js []byte, typ types.PatchType) error {
	if typ == types.JSONPatchType {
		if _, err := jsonpatch.DecodePatch(js); err != nil {
			return fmt.Errorf("not a JSON patch (a list of operations): %w", err)
		}
		return nil
	}
	var obj map[string]any
	if err := yaml.Unmarshal(js, &obj); err != nil || obj == nil {
		return fmt.Errorf("a %s patch must be an object (a map of fields)", shortName(typ))
	}
	return nil
}

// Dir is the directory the set was read from.
func (s *Set) Dir() string {
	if s == nil {
		return ""
	}
	return s.dir
}

// Files lists the patch files, relative to Dir, in the order they apply.
func (s *Set) Files() []string {
	if s == nil {
		return nil
	}
	names := make([]string, len(s.files))
	for i, f := range s.files {
		names[i] = f.name
	}
	return names
}

// Ignored lists the files that hold no patch.
func (s *Set) Ignored() []Ignored {
	if s == nil {
		return nil
	}
	return append([]Ignored(nil), s.ignored...)
}

// Has is true when at least one patch names target, so that a caller can
// skip converting a document nothing would change.
func (s *Set) Has(target string) bool {
	if s == nil {
		return false
	}
	for _, f := range s.files {
		if f.target == target && len(f.patches) > 0 {
			return true
		}
	}
	return false
}
