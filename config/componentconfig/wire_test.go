package componentconfig

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	kubeproxyconfig "k8s.io/kube-proxy/config/v1alpha1"
	kubeletconfig "k8s.io/kubelet/config/v1beta1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/internal/golden"
)

// The tests below read and write the same documents through the upstream
// types and through their mirrors, the way kadm's kubelet and addons
// packages do, and require the same outcome byte for byte.

// decodeKubelet is how the kubelet package reads a KubeletConfiguration:
// case-sensitive field names, unknown fields reported and dropped.
func decodeKubelet(doc []byte, into any) ([]string, error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	strict, err := sigsjson.UnmarshalStrict(js, into)
	var warnings []string
	for _, e := range strict {
		warnings = append(warnings, e.Error())
	}
	return warnings, err
}

// decodeKubeProxy is how the addons package reads a KubeProxyConfiguration:
// encoding/json's field matching, unknown and repeated fields rejected,
// YAML numbers accepted for strings.
func decodeKubeProxy(doc []byte, into any) ([]string, error) {
	return nil, yaml.UnmarshalStrict(doc, into)
}

type wireCase struct {
	name string
	doc  string
}

func TestKubeletConfigurationWire(t *testing.T) {
	t.Parallel()
	cases := []wireCase{
		{"empty", "{}"},
		{"every field set", string(populated[kubeletconfig.KubeletConfiguration](t))},
		{"durations are normalised", "syncFrequency: 1m\nshutdownGracePeriod: 90s\ncpuCFSQuotaPeriod: 100ms\ncrashLoopBackOff:\n  maxContainerRestartPeriod: 2h\n"},
		{"null duration", "syncFrequency: null\n"},
		{"null pointer duration", "cpuCFSQuotaPeriod: null\n"},
		{"null struct", "authentication: null\n"},
		{"quantities are canonicalised", "reservedMemory:\n- numaNode: 1\n  limits:\n    memory: 1024Mi\n    hugepages-2Mi: 2097152\n- limits: {}\n"},
		{"flushFrequency as a number", "logging:\n  flushFrequency: 5000000000\n  verbosity: 3\n  vmodule:\n  - filePattern: x.go\n    verbosity: 2\n"},
		{"flushFrequency as a string", "logging:\n  flushFrequency: 5s\n  options:\n    json:\n      infoBufferSize: 1Ki\n      splitStream: true\n"},
		{"unknown and misspelt fields", "MaxPods: 3\nmaxpods: 4\nauthentication:\n  foo: 1\n  x509:\n    clientCaFile: /ca\nreservedMemory:\n- bar: 1\n"},
		{"string for a number", "maxPods: many\n"},
		{"fraction for an integer", "healthzPort: 1.5\n"},
		{"number for a string", "staticPodPath: 123\n"},
		{"string for a list", "clusterDNS: 10.96.0.10\n"},
		{"negative verbosity", "logging:\n  verbosity: -1\n"},
		{"empty values", "clusterDNS: []\nfeatureGates: {}\nmaxPods: 0\nhealthzPort: 0\nenableServer: false\ntracing: {}\n"},
		{"taints", "registerWithTaints:\n- key: a\n  effect: NoSchedule\n  timeAdded: \"2026-01-02T03:04:05+02:00\"\n"},
		{"maps of lists", "staticPodURLHeader:\n  a: [x, y]\n  b: []\n"},
		{"float", "memoryThrottlingFactor: 0.9\n"},
	}
	testWire[kubeletconfig.KubeletConfiguration, KubeletConfiguration](t, cases, decodeKubelet)
}

func TestKubeProxyConfigurationWire(t *testing.T) {
	t.Parallel()
	cases := []wireCase{
		{"empty", "{}"},
		{"every field set", string(populated[kubeproxyconfig.KubeProxyConfiguration](t))},
		{"numbers for strings", "mode: 1\nhostnameOverride: 1.10\nnodePortAddresses: [1, 2.5, true]\nfeatureGates:\n  A: true\n"},
		{"field names match case-insensitively", "Mode: ipvs\nbindaddress: 0.0.0.0\n"},
		{"unknown field", "modee: nftables\n"},
		{"repeated field", "mode: ipvs\nmode: nftables\n"},
		{"durations", "ipvs:\n  syncPeriod: 30s\n  tcpTimeout: 1h\nconntrack:\n  tcpEstablishedTimeout: 86400s\n  maxPerCore: 0\n"},
		{"null pointers", "conntrack:\n  maxPerCore: null\n  min: 5\noomScoreAdj: null\n"},
		{"float32", "clientConnection:\n  qps: 0.1\n  burst: 10\n"},
		{"flushFrequency", "logging:\n  flushFrequency: 1000\n"},
		{"string for a bool", "enableProfiling: yes please\n"},
	}
	testWire[kubeproxyconfig.KubeProxyConfiguration, KubeProxyConfiguration](t, cases, decodeKubeProxy)
}

// testWire decodes each document into U (upstream) and M (mirror) and
// compares errors, warnings and the re-encoded YAML.
func testWire[U, M any](t *testing.T, cases []wireCase, decode func([]byte, any) ([]string, error)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var up U
			var mirror M
			upWarnings, upErr := decode([]byte(tc.doc), &up)
			warnings, err := decode([]byte(tc.doc), &mirror)
			if (upErr == nil) != (err == nil) {
				t.Fatalf("decode error = %v, upstream's = %v", err, upErr)
			}
			if strings.Join(warnings, "\n") != strings.Join(upWarnings, "\n") {
				t.Errorf("warnings = %q, upstream's = %q", warnings, upWarnings)
			}
			if err != nil {
				return
			}
			want, err := yaml.Marshal(&up)
			if err != nil {
				t.Fatal(err)
			}
			got, err := yaml.Marshal(&mirror)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("the mirror encodes differently:\n%s", golden.Diff("upstream", string(want), string(got)))
			}
		})
	}
}

// TestKubeletStrategicPatch checks that the mirror, used as the schema of a
// strategic merge patch, merges (and fails) as the upstream type does:
// KubeletConfiguration declares no merge keys or strategies, so lists are
// replaced and only the field layout matters.
func TestKubeletStrategicPatch(t *testing.T) {
	t.Parallel()
	original := `{"clusterDNS":["10.96.0.10"],"featureGates":{"A":true},"staticPodURLHeader":{"a":["x"]},"authentication":{"x509":{"clientCAFile":"/ca"}},"custom":{"a":1}}`
	patches := []struct{ name, patch string }{
		{"list replaced", `{"clusterDNS":["10.0.0.1","10.0.0.2"]}`},
		{"map merged", `{"featureGates":{"B":false},"authentication":{"webhook":{"enabled":true}}}`},
		{"key deleted", `{"featureGates":{"A":null},"clusterDNS":null}`},
		{"replace directive", `{"authentication":{"$patch":"replace","anonymous":{"enabled":false}}}`},
		{"unknown field holding an object", `{"custom":{"b":2}}`},
		{"map of lists", `{"staticPodURLHeader":{"a":["y"]}}`},
		{"delete from primitive list", `{"$deleteFromPrimitiveList/clusterDNS":["10.96.0.10"]}`},
	}
	for _, p := range patches {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			want, upErr := strategicpatch.StrategicMergePatch([]byte(original), []byte(p.patch), kubeletconfig.KubeletConfiguration{})
			got, err := strategicpatch.StrategicMergePatch([]byte(original), []byte(p.patch), KubeletConfiguration{})
			if (upErr == nil) != (err == nil) {
				t.Fatalf("error = %v, upstream's = %v", err, upErr)
			}
			if string(got) != string(want) {
				t.Errorf("patched = %s, upstream's = %s", got, want)
			}
		})
	}
}

// populated is a document in which every field of T is set, down to the
// last pointer, list and map, so that a field the mirror lacked, named
// differently or encoded differently would show.
func populated[T any](t *testing.T) []byte {
	t.Helper()
	var v T
	fill(reflect.ValueOf(&v).Elem())
	out, err := yaml.Marshal(&v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fill(v reflect.Value) {
	switch p := v.Addr().Interface().(type) {
	case *metav1.Duration:
		*p = metav1.Duration{Duration: 90 * time.Second}
		return
	case *metav1.Time:
		*p = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		return
	case *resource.Quantity:
		*p = resource.MustParse("1536Mi")
		return
	case *resource.QuantityValue:
		p.Quantity = resource.MustParse("64Ki")
		return
	}
	// component-base's logging.flushFrequency, found by name so that kadm's
	// go.mod needs no direct requirement on component-base.
	if t := v.Type(); t.PkgPath() == "k8s.io/component-base/logs/api/v1" && t.Name() == "TimeOrMetaDuration" {
		v.FieldByName("Duration").Set(reflect.ValueOf(metav1.Duration{Duration: 5 * time.Second}))
		v.FieldByName("SerializeAsString").SetBool(true)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Map:
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(k, e)
	case reflect.String:
		v.SetString("value")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(0.25)
	}
}
