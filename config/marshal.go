package config

import (
	"bytes"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

const documentSeparator = "---\n"

// Marshal writes d as a multi-document YAML file in the layout kubeadm writes: Init, Cluster
// and Join (those present, always as v1beta4, keys sorted), then the component configs and
// the other kubeadm documents as they were read.
func Marshal(d *Documents) ([]byte, error) {
	var parts [][]byte
	add := func(obj any, kind string) error {
		b, err := yaml.Marshal(obj)
		if err != nil {
			return fmt.Errorf("marshal %s: %w", kind, err)
		}
		parts = append(parts, b)
		return nil
	}
	if d.Init != nil {
		c := *d.Init
		c.TypeMeta = typeMeta(KindInitConfiguration)
		if err := add(&c, KindInitConfiguration); err != nil {
			return nil, err
		}
	}
	if d.Cluster != nil {
		c := *d.Cluster
		c.TypeMeta = typeMeta(KindClusterConfiguration)
		if err := add(&c, KindClusterConfiguration); err != nil {
			return nil, err
		}
	}
	if d.Join != nil {
		c := *d.Join
		c.TypeMeta = typeMeta(KindJoinConfiguration)
		if err := add(&c, KindJoinConfiguration); err != nil {
			return nil, err
		}
	}
	for _, c := range append(append([]ComponentConfig(nil), d.Components...), d.Other...) {
		parts = append(parts, withFinalNewline(c.YAML))
	}
	return bytes.Join(parts, []byte(documentSeparator)), nil
}

func typeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: V1Beta4, Kind: kind}
}

// withFinalNewline keeps the next separator on a line of its own.
func withFinalNewline(b []byte) []byte {
	if len(b) == 0 || b[len(b)-1] == '\n' {
		return b
	}
	return append(append([]byte(nil), b...), '\n')
}
