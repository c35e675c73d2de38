// Package config is kadm's kubeadm configuration API (kubeadm.k8s.io/v1beta4, reading v1beta3):
// the types, their defaults and validation, and strict loading, printing and migration of config files.
package config
