package certs

import (
	"fmt"
	"strings"
)

// FileError is an existing file kadm will not use. kadm never overwrites a
// certificate or key it finds, since it may be the user's own; it says what
// is wrong and leaves the choice to them.
type FileError struct {
	// Path is the file at fault.
	Path string
	// Reason says what is wrong with it.
	Reason string
	// Fix says what the user can do.
	Fix string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("%s %s; %s", e.Path, e.Reason, e.Fix)
}

// ExternalCAError is a certificate that must be signed by a CA whose key
// kadm does not have (external CA mode) and that is not on disk yet.
type ExternalCAError struct {
	// CA is the certificate of the external CA.
	CA string
	// Missing lists every file the user must still provide for that CA,
	// so they can be fixed all at once.
	Missing []string
}

func (e *ExternalCAError) Error() string {
	return fmt.Sprintf("external CA mode: %s is present without its key, so kadm signs nothing with it; provide these files, each certificate signed by %s: %s",
		e.CA, e.CA, strings.Join(e.Missing, ", "))
}
