package config

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Load reads a config file and parses it with Parse.
func Load(path string) (*Documents, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	return Parse(path, data)
}

// oldAPIVersions maps kubeadm API versions kadm no longer reads to the kubeadm release that
// can migrate them one step further.
var oldAPIVersions = map[string]string{
	GroupName + "/v1alpha1": "v1.11",
	GroupName + "/v1alpha2": "v1.12",
	GroupName + "/v1alpha3": "v1.14",
	GroupName + "/v1beta1":  "v1.15",
	GroupName + "/v1beta2":  "v1.22",
}

// Parse decodes every document of a config file strictly: an unknown or repeated field, a
// wrong type, an unknown apiVersion or kind, or a kind given twice is an error naming the
// file (source), the document, the field and the line. v1beta3 documents are converted to
// v1beta4, for Migrate; Documents.RequireCurrent refuses them. Every problem found is
// returned, joined, not only the first.
func Parse(source string, data []byte) (*Documents, error) {
	p := &parser{docs: &Documents{Source: source}, seen: map[string]int{}}
	raws := splitDocuments(data)
	if len(raws) == 0 {
		return nil, &DecodeError{Source: source, Detail: "no configuration documents found: the file is empty"}
	}
	for _, raw := range raws {
		p.document(raw)
	}
	p.finish()
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return p.docs, nil
}

type parser struct {
	docs *Documents
	errs []error
	// seen maps each kind to the document that first gave it.
	seen map[string]int
	// controlPlaneTimeout is v1beta3's apiServer.timeoutForControlPlane, which v1beta4 keeps
	// in the InitConfiguration.
	controlPlaneTimeout *metav1.Duration
}

func (p *parser) fail(raw rawDocument, kind string, line int, field, format string, args ...any) {
	p.errs = append(p.errs, &DecodeError{
		Source: p.docs.Source, Document: raw.number, Kind: kind,
		Line: line, Field: field, Detail: fmt.Sprintf(format, args...),
	})
}

func (p *parser) document(raw rawDocument) {
	root, ok := p.parseYAML(raw)
	if !ok {
		return
	}
	h, ok := p.header(raw, root)
	if !ok {
		return
	}
	if !known(h) {
		p.unknown(raw, h)
		return
	}
	if first, dup := p.seen[h.kind]; dup {
		p.fail(raw, h.kind, h.kindLine, "kind", "%s is given twice in the file (first in document %d)", h.kind, first)
		return
	}
	p.seen[h.kind] = raw.number

	var problems []decodeProblem
	switch h.apiVersion {
	case V1Beta4:
		problems = p.v1beta4(raw, h, root)
	case V1Beta3:
		problems = p.v1beta3(raw, h, root)
	default:
		p.docs.Components = append(p.docs.Components, verbatim(h, raw))
	}
	for _, pr := range problems {
		p.fail(raw, h.kind, pr.line, pr.field, "%s", pr.detail)
	}
}

// known reports whether kadm reads documents of this apiVersion and kind.
func known(h header) bool {
	switch h.apiVersion {
	case V1Beta4:
		return slices.Contains([]string{KindInitConfiguration, KindClusterConfiguration, KindJoinConfiguration,
			KindResetConfiguration, KindUpgradeConfiguration}, h.kind)
	case V1Beta3:
		return slices.Contains([]string{KindInitConfiguration, KindClusterConfiguration, KindJoinConfiguration}, h.kind)
	case KubeletConfigAPIVersion:
		return h.kind == KindKubeletConfiguration
	case KubeProxyConfigAPIVersion:
		return h.kind == KindKubeProxyConfiguration
	}
	return false
}

func (p *parser) v1beta4(raw rawDocument, h header, root *yaml.Node) []decodeProblem {
	offset := raw.firstLine - 1
	switch h.kind {
	case KindInitConfiguration:
		p.docs.Init = &InitConfiguration{}
		return decodeStrict(root, p.docs.Init, offset)
	case KindClusterConfiguration:
		p.docs.Cluster = &ClusterConfiguration{}
		return decodeStrict(root, p.docs.Cluster, offset)
	case KindJoinConfiguration:
		p.docs.Join = &JoinConfiguration{}
		return decodeStrict(root, p.docs.Join, offset)
	case KindResetConfiguration:
		p.docs.Reset = &ResetConfiguration{}
		p.docs.Other = append(p.docs.Other, verbatim(h, raw))
		return decodeStrict(root, p.docs.Reset, offset)
	}
	p.docs.Upgrade = &UpgradeConfiguration{}
	p.docs.Other = append(p.docs.Other, verbatim(h, raw))
	return decodeStrict(root, p.docs.Upgrade, offset)
}

func (p *parser) v1beta3(raw rawDocument, h header, root *yaml.Node) []decodeProblem {
	offset := raw.firstLine - 1
	p.docs.migrated = append(p.docs.migrated, &DecodeError{
		Source: p.docs.Source, Document: raw.number, Kind: h.kind, Line: h.apiVersionLine, Field: "apiVersion",
	})
	switch h.kind {
	case KindInitConfiguration:
		var old v1beta3InitConfiguration
		problems := decodeStrict(root, &old, offset)
		p.docs.Init = old.convert()
		return problems
	case KindClusterConfiguration:
		var old v1beta3ClusterConfiguration
		problems := decodeStrict(root, &old, offset)
		p.docs.Cluster, p.controlPlaneTimeout = old.convert()
		return problems
	}
	var old v1beta3JoinConfiguration
	problems := decodeStrict(root, &old, offset)
	p.docs.Join = old.convert()
	return problems
}

// unknown explains why a document's apiVersion/kind is refused and what to do about it.
func (p *parser) unknown(raw rawDocument, h header) {
	if release, old := oldAPIVersions[h.apiVersion]; old {
		p.fail(raw, h.kind, h.apiVersionLine, "apiVersion", "%s is no longer supported: migrate the file with kubeadm %s "+
			"(kubeadm config migrate --old-config old.yaml --new-config new.yaml), and again with newer kubeadm releases, until it is %s or %s",
			h.apiVersion, release, V1Beta3, V1Beta4)
		return
	}
	if h.apiVersion == V1 {
		p.fail(raw, h.kind, h.apiVersionLine, "apiVersion", "%s is kubeadm's experimental, unreleased API (kubeadm reads it only with --allow-experimental-api), "+
			"which kadm does not implement: write the file as %s", h.apiVersion, V1Beta4)
		return
	}
	known := "kadm reads " + V1Beta4 + " InitConfiguration, ClusterConfiguration, JoinConfiguration, ResetConfiguration and UpgradeConfiguration " +
		"(config migrate also " + V1Beta3 + "), " + KubeletConfigAPIVersion + " " + KindKubeletConfiguration + " and " + KubeProxyConfigAPIVersion + " " + KindKubeProxyConfiguration
	switch h.apiVersion {
	case V1Beta4, V1Beta3, KubeletConfigAPIVersion, KubeProxyConfigAPIVersion:
		p.fail(raw, h.kind, h.kindLine, "kind", "unknown kind %q for %s: %s", h.kind, h.apiVersion, known)
	default:
		p.fail(raw, h.kind, h.apiVersionLine, "apiVersion", "unknown apiVersion %q: %s", h.apiVersion, known)
	}
}

// finish moves what v1beta3 kept in the ClusterConfiguration to where v1beta4 keeps it.
func (p *parser) finish() {
	if p.controlPlaneTimeout == nil {
		return
	}
	if p.docs.Init == nil {
		p.docs.Init = &InitConfiguration{TypeMeta: metav1.TypeMeta{APIVersion: V1Beta4, Kind: KindInitConfiguration}}
	}
	if p.docs.Init.Timeouts == nil {
		p.docs.Init.Timeouts = &Timeouts{}
	}
	p.docs.Init.Timeouts.ControlPlaneComponentHealthCheck = p.controlPlaneTimeout
}

// verbatim keeps a document kadm passes on without reading it.
func verbatim(h header, raw rawDocument) ComponentConfig {
	return ComponentConfig{APIVersion: h.apiVersion, Kind: h.kind, YAML: raw.data}
}
