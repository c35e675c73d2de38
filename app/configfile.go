package app

import (
	"errors"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/phases/options"
)

// loadConfig reads a --config file as every command but `config migrate`
// does: a file that cannot be read is bad input, like one that does not
// decode, and kubeadm.k8s.io/v1beta3 documents are refused, as kubeadm v1.37
// refuses them, with the hint to convert them with program's `config
// migrate`.
func loadConfig(program, path string) (*config.Documents, error) {
	docs, err := config.Load(path)
	var de *config.DecodeError
	switch {
	case errors.As(err, &de):
		return nil, err
	case err != nil:
		return nil, usagef("--%s %s: %v", options.Config, path, errors.Unwrap(err))
	}
	if err := docs.RequireCurrent(program); err != nil {
		return nil, err
	}
	return docs, nil
}
