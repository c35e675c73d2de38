package httplog

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/klog/v2"
)

// TestWrap runs alone: it sets the process's verbosity and klog's output.
func TestWrap(t *testing.T) {
	var logged bytes.Buffer
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	_ = fs.Set("logtostderr", "false")
	klog.SetOutput(&logged)
	t.Cleanup(func() {
		klog.SetOutput(nil)
		_ = fs.Set("logtostderr", "true")
		_ = SetVerbosity(0)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("body-secret"))
	}))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: Wrap(http.DefaultTransport)}
	get := func() {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/secrets?token=query-secret#frag", nil)
		req.Header.Set("Authorization", "Bearer header-secret")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		klog.Flush()
	}

	for _, v := range []int{0, LibraryMax, RequestLevel - 1} {
		if err := SetVerbosity(v); err != nil {
			t.Fatal(err)
		}
		get()
		if logged.Len() != 0 {
			t.Fatalf("-v=%d logged %q, want nothing", v, logged.String())
		}
	}
	if err := SetVerbosity(10); err != nil {
		t.Fatal(err)
	}
	if klog.V(LibraryMax + 1).Enabled() {
		t.Fatalf("-v=10 lets klog log at %d", LibraryMax+1)
	}
	get()
	out := logged.String()
	if !strings.Contains(out, "GET "+srv.URL+"/api/v1/secrets 418 I'm a teapot in ") {
		t.Errorf("-v=10 logged %q, want the method, URL, status and duration", out)
	}
	for _, secret := range []string{"query-secret", "header-secret", "body-secret", "frag"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log shows %q: %s", secret, out)
		}
	}
}

func TestSetVModule(t *testing.T) {
	t.Cleanup(func() { _, _ = SetVModule("") })
	tests := []struct {
		spec, want, wantErr string
	}{
		{spec: "request=10,round_trippers=8,kadm=3", want: "request=5,round_trippers=5,kadm=3"},
		{spec: "", want: ""},
		{spec: "request", wantErr: "is not pattern=N"},
		{spec: "request=x", wantErr: "is not pattern=N"},
	}
	for _, tt := range tests {
		got, err := SetVModule(tt.spec)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("SetVModule(%q) = %q, %v; want an error containing %q", tt.spec, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("SetVModule(%q) = %q, %v; want %q", tt.spec, got, err, tt.want)
		}
	}
}
