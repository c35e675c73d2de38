package config

import (
	"errors"
	"fmt"
	"strings"
)

// Documents is what one config file holds, already converted to v1beta4.
type Documents struct {
	Init    *InitConfiguration
	Cluster *ClusterConfiguration
	Join    *JoinConfiguration
	// Reset is the ResetConfiguration, decoded; Other keeps its text as well, so that
	// Marshal and Migrate write it back as it was written.
	Reset *ResetConfiguration
	// Upgrade is the UpgradeConfiguration, decoded and kept in Other as well, as Reset is.
	Upgrade *UpgradeConfiguration
	// Components are KubeletConfiguration and KubeProxyConfiguration documents, in file
	// order. kadm passes them on untouched, so they are kept as written.
	Components []ComponentConfig
	// Other holds kubeadm.k8s.io/v1beta4 ResetConfiguration and UpgradeConfiguration
	// documents, kept as written so that a kubeadm config file that has them still loads
	// and survives Marshal and Migrate.
	Other []ComponentConfig
	// Source is the file name used in error messages.
	Source string
	// migrated lists the v1beta3 documents Parse converted: only `config
	// migrate` takes them, kubeadm v1.37 reads none (RequireCurrent).
	migrated []*DecodeError
}

// RequireCurrent refuses a file that holds kubeadm.k8s.io/v1beta3 documents,
// as kubeadm v1.37 does, with the hint to convert it: `<program> config
// migrate` still can, as a migration aid.
func (d *Documents) RequireCurrent(program string) error {
	errs := make([]error, 0, len(d.migrated))
	for _, e := range d.migrated {
		copied := *e
		copied.Detail = fmt.Sprintf("%s is an old API version that kubeadm %s no longer reads: convert the file with '%s config migrate --old-config %s --new-config new-config-file', which writes it as %s",
			V1Beta3, "v1.37", program, d.Source, V1Beta4)
		errs = append(errs, &copied)
	}
	return errors.Join(errs...)
}

// ComponentConfig is a document kadm keeps verbatim; only its apiVersion and kind were checked.
type ComponentConfig struct {
	APIVersion string
	Kind       string
	YAML       []byte
}

// DecodeError locates a problem in a config file precisely enough to fix it without guessing:
// file, document, field path and line.
type DecodeError struct {
	Source string
	// Document counts the non-empty documents of the file from 1; 0 means the whole file.
	Document int
	Kind     string
	// Line is the 1-based line in the file; 0 when no line applies.
	Line   int
	Field  string
	Detail string
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source + ": ")
	}
	if e.Document > 0 {
		fmt.Fprintf(&b, "document %d", e.Document)
		if e.Kind != "" {
			fmt.Fprintf(&b, " (%s)", e.Kind)
		}
		b.WriteString(": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Detail)
	if e.Field != "" {
		fmt.Fprintf(&b, " (at %s)", e.Field)
	}
	return b.String()
}

// WithSource names the file in a *ValidationError so that each of its lines says where the
// problem is; other errors are returned unchanged.
func WithSource(err error, source string) error {
	if ve, ok := err.(*ValidationError); ok {
		copied := *ve
		copied.Source = source
		return &copied
	}
	return err
}
