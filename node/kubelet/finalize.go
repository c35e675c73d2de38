package kubelet

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/atomicfile"
)

// kubeconfigMode is kubeadm's mode for kubeconfig files, which hold keys.
const kubeconfigMode = 0o600

// ClientCertPath is the file the kubelet keeps pointing at its current client
// certificate and key: kubelet-client-current.pem in the last --cert-dir of
// kubeletExtraArgs, else in kubeletDir/pki.
func ClientCertPath(kubeletDir string, extraArgs []config.Arg) string {
	dir := filepath.Join(kubeletDir, "pki")
	for _, a := range extraArgs {
		if a.Name == "cert-dir" {
			dir = a.Value
		}
	}
	return filepath.Join(dir, clientCertFileName)
}

// UseRotatingClientCert rewrites the kubeconfig at path so that its current
// user authenticates with certPath as both client certificate and key instead
// of embedded data: the kubelet rotates that file, while embedded data would
// expire with the first certificate. It reports whether the file changed;
// a kubeconfig that already points at certPath is left alone.
func UseRotatingClientCert(path, certPath string) (changed bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("read the kubelet's kubeconfig: %w", err)
	}
	kc, err := clientcmd.Load(data)
	if err != nil {
		return false, fmt.Errorf("parse the kubelet's kubeconfig %s: %w", path, err)
	}
	if kc.CurrentContext == "" {
		return false, fmt.Errorf("the kubelet's kubeconfig %s sets no current-context: restore it or delete it and rerun", path)
	}
	ctx, ok := kc.Contexts[kc.CurrentContext]
	if !ok {
		return false, fmt.Errorf("the kubelet's kubeconfig %s is invalid: current-context %q is not among its contexts", path, kc.CurrentContext)
	}
	if ctx.AuthInfo == "" {
		return false, fmt.Errorf("the kubelet's kubeconfig %s is invalid: context %q names no user", path, kc.CurrentContext)
	}
	user, ok := kc.AuthInfos[ctx.AuthInfo]
	if !ok {
		return false, fmt.Errorf("the kubelet's kubeconfig %s has no credentials for user %q", path, ctx.AuthInfo)
	}
	if user.ClientCertificate == certPath && user.ClientKey == certPath &&
		len(user.ClientCertificateData) == 0 && len(user.ClientKeyData) == 0 {
		return false, nil
	}
	user.ClientCertificateData, user.ClientKeyData = nil, nil
	user.ClientCertificate, user.ClientKey = certPath, certPath
	out, err := clientcmd.Write(*kc)
	if err != nil {
		return false, fmt.Errorf("render the kubelet's kubeconfig %s: %w", path, err)
	}
	if bytes.Equal(out, data) {
		return false, nil
	}
	if err := atomicfile.Write(path, out, kubeconfigMode); err != nil {
		return false, err
	}
	return true, nil
}
