// Command probe is the program of the e2e suite's test image: run in a Pod, it resolves the
// API server's Service name through the cluster DNS and asks the API server, at the address
// it resolved, for its version over TLS verified with the Pod's service account CA. It prints
// what it found and exits 0 only when both worked.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

func main() {
	name := "kubernetes.default.svc.cluster.local"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	if err := probe(name); err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

func probe(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resolv, _ := os.ReadFile("/etc/resolv.conf")
	fmt.Printf("resolv.conf: %s\n", strings.Join(strings.Fields(string(resolv)), " "))
	addrs, err := net.DefaultResolver.LookupHost(ctx, name)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", name, err)
	}
	fmt.Printf("resolved %s: %s\n", name, strings.Join(addrs, " "))

	caPEM, err := os.ReadFile(serviceAccountDir + "/ca.crt")
	if err != nil {
		return err
	}
	token, err := os.ReadFile(serviceAccountDir + "/token")
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return fmt.Errorf("%s/ca.crt holds no certificate", serviceAccountDir)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: name},
	}}
	url := "https://" + net.JoinHostPort(addrs[0], "443") + "/version"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	var version struct {
		GitVersion string `json:"gitVersion"`
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&version); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	fmt.Printf("the API server at %s (verified as %s) is %s\n", url, name, version.GitVersion)
	return nil
}
