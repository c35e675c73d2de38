package preflight

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// stub is a check with a fixed result.
type stub struct {
	name        string
	warns, errs []string
}

func (s stub) Name() string { return s.name }

func (s stub) Check(ctx context.Context) (warnings, errs []error) {
	for _, w := range s.warns {
		warnings = append(warnings, errors.New(w))
	}
	for _, e := range s.errs {
		errs = append(errs, errors.New(e))
	}
	return warnings, errs
}

func TestRun(t *testing.T) {
	t.Parallel()
	checks := []Check{
		stub{name: "NumCPU", errs: []string{"too few CPUs"}},
		stub{name: "Swap", warns: []string{"swap is on"}},
		stub{name: "Port-6443", errs: []string{"Port 6443 is in use"}},
		stub{name: "ExternalEtcdClientCertificates", errs: []string{"ca.crt doesn't exist", "client.key doesn't exist"}},
		stub{name: "Hostname"},
	}
	tests := []struct {
		name         string
		ignore       []string
		wantWarnings []string
		wantErrors   []string
		wantNames    []string
	}{
		{
			name:         "nothing ignored",
			wantWarnings: []string{"\t[WARNING Swap]: swap is on"},
			wantErrors: []string{"\t[ERROR NumCPU]: too few CPUs", "\t[ERROR Port-6443]: Port 6443 is in use",
				"\t[ERROR ExternalEtcdClientCertificates]: ca.crt doesn't exist", "\t[ERROR ExternalEtcdClientCertificates]: client.key doesn't exist"},
			wantNames: []string{"NumCPU", "Port-6443", "ExternalEtcdClientCertificates"},
		},
		{
			name:         "ignored names in any case become warnings",
			ignore:       []string{"numcpu", "PORT-6443"},
			wantWarnings: []string{"\t[WARNING NumCPU]: too few CPUs", "\t[WARNING Swap]: swap is on", "\t[WARNING Port-6443]: Port 6443 is in use"},
			wantErrors: []string{"\t[ERROR ExternalEtcdClientCertificates]: ca.crt doesn't exist",
				"\t[ERROR ExternalEtcdClientCertificates]: client.key doesn't exist"},
			wantNames: []string{"ExternalEtcdClientCertificates"},
		},
		{
			name:   "all",
			ignore: []string{"ALL"},
			wantWarnings: []string{"\t[WARNING NumCPU]: too few CPUs", "\t[WARNING Swap]: swap is on", "\t[WARNING Port-6443]: Port 6443 is in use",
				"\t[WARNING ExternalEtcdClientCertificates]: ca.crt doesn't exist", "\t[WARNING ExternalEtcdClientCertificates]: client.key doesn't exist"},
		},
		{
			name:         "unknown names change nothing",
			ignore:       []string{"Mem", "NumCPUs"},
			wantWarnings: []string{"\t[WARNING Swap]: swap is on"},
			wantErrors: []string{"\t[ERROR NumCPU]: too few CPUs", "\t[ERROR Port-6443]: Port 6443 is in use",
				"\t[ERROR ExternalEtcdClientCertificates]: ca.crt doesn't exist", "\t[ERROR ExternalEtcdClientCertificates]: client.key doesn't exist"},
			wantNames: []string{"NumCPU", "Port-6443", "ExternalEtcdClientCertificates"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Run(context.Background(), checks, tt.ignore)
			if got := r.WarningLines(); !slices.Equal(got, tt.wantWarnings) {
				t.Errorf("warnings:\n%q\nwant:\n%q", got, tt.wantWarnings)
			}
			if got := r.ErrorLines(); !slices.Equal(got, tt.wantErrors) {
				t.Errorf("errors:\n%q\nwant:\n%q", got, tt.wantErrors)
			}
			if len(tt.wantErrors) == 0 {
				if err != nil {
					t.Fatalf("Run() error = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrChecksFailed) {
				t.Fatalf("Run() error = %v, want one wrapping ErrChecksFailed", err)
			}
			var failed *FailedError
			if !errors.As(err, &failed) {
				t.Fatalf("Run() error is a %T, want *FailedError", err)
			}
			if got := failed.Names(); !slices.Equal(got, tt.wantNames) {
				t.Errorf("Names() = %q, want %q", got, tt.wantNames)
			}
			msg := err.Error()
			for _, l := range tt.wantErrors {
				if !strings.Contains(msg, l) {
					t.Errorf("error does not list %q:\n%s", l, msg)
				}
			}
			if flag := "--ignore-preflight-errors=" + strings.Join(tt.wantNames, ","); !strings.Contains(msg, flag) {
				t.Errorf("error does not say %q:\n%s", flag, msg)
			}
		})
	}
}

func TestIgnoredMarksDemotedErrors(t *testing.T) {
	t.Parallel()
	r, err := Run(context.Background(), []Check{stub{name: "Mem", warns: []string{"w"}, errs: []string{"e"}}}, []string{"mem"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{{Check: "Mem", Err: errors.New("w")}, {Check: "Mem", Err: errors.New("e"), Ignored: true}}
	if len(r.Warnings) != len(want) {
		t.Fatalf("warnings = %+v, want %+v", r.Warnings, want)
	}
	for i := range want {
		if r.Warnings[i].Ignored != want[i].Ignored || r.Warnings[i].Err.Error() != want[i].Err.Error() {
			t.Errorf("warning %d = %+v, want %+v", i, r.Warnings[i], want[i])
		}
	}
}
