package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kadm-project/kadm/internal/golden"
)

// TestRoundTrip checks that Marshal(Parse(x)) is a fixed point and loses nothing.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	var inputs []string
	for _, dir := range []string{"roundtrip", "migrate", "print", "defaults"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, files...)
	}
	if len(inputs) < 10 {
		t.Fatalf("only %d round-trip inputs found", len(inputs))
	}
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			first, err := Parse(in, data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Marshal(first)
			if err != nil {
				t.Fatal(err)
			}
			second, err := Parse("marshalled", out)
			if err != nil {
				t.Fatalf("Marshal output does not load: %v\n%s", err, out)
			}
			again, err := Marshal(second)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(out) {
				t.Errorf("Marshal(Parse(x)) is not stable:\n%s", golden.Diff(in, string(out), string(again)))
			}
			ignore := cmp.Options{cmpopts.IgnoreFields(Documents{}, "Source", "Components", "Other"), cmpopts.IgnoreUnexported(Documents{})}
			if diff := cmp.Diff(first, second, ignore); diff != "" {
				t.Errorf("values changed through Marshal (-before +after):\n%s", diff)
			}
			if len(first.Components) != len(second.Components) || len(first.Other) != len(second.Other) {
				t.Errorf("verbatim documents lost: %d/%d components, %d/%d others",
					len(first.Components), len(second.Components), len(first.Other), len(second.Other))
			}
		})
	}
}

func TestMarshalLayout(t *testing.T) {
	t.Parallel()
	init := &InitConfiguration{}
	init.APIVersion = V1Beta3
	d := &Documents{
		Join:       &JoinConfiguration{},
		Init:       init,
		Components: []ComponentConfig{{APIVersion: KubeletConfigAPIVersion, Kind: KindKubeletConfiguration, YAML: []byte("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration")}},
	}
	out, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(string(out), "---\n")
	if len(docs) != 3 {
		t.Fatalf("got %d documents:\n%s", len(docs), out)
	}
	for i, want := range []string{"kind: InitConfiguration", "kind: JoinConfiguration", "kind: KubeletConfiguration\n"} {
		if !strings.Contains(docs[i], want) {
			t.Errorf("document %d lacks %q:\n%s", i+1, want, docs[i])
		}
	}
	if !strings.HasPrefix(docs[0], "apiVersion: kubeadm.k8s.io/v1beta4\n") {
		t.Errorf("Marshal kept a stale apiVersion:\n%s", docs[0])
	}
	if init.APIVersion != V1Beta3 {
		t.Errorf("Marshal changed its input")
	}
	if !strings.Contains(docs[0], "taints: null") {
		t.Errorf("unset taints must be written as null so that they read back as unset:\n%s", docs[0])
	}
}
