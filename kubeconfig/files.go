package kubeconfig

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kadm-project/kadm/config"
)

// ClientFile describes one kubeconfig that authenticates with a client
// certificate: where it points and whom the certificate names.
type ClientFile struct {
	// Name is the file name in the kubeconfig directory, e.g. admin.conf.
	Name        string
	ClusterName string
	Server      string
	// User is the certificate's common name; Groups its organizations.
	User   string
	Groups []string
	// Validity and Algorithm shape the client certificate and its key.
	Validity  time.Duration
	Algorithm config.EncryptionAlgorithmType
}

// ControlPlaneFiles returns the kubeconfig files of a control-plane node in
// the order kubeadm writes them: admin, super-admin, kubelet,
// controller-manager and scheduler. As in kubeadm v1.37, admin.conf and
// super-admin.conf point at the controlPlaneEndpoint, while kubelet.conf,
// controller-manager.conf and scheduler.conf point at this node's own API
// server, so that the node keeps running if the load balancer fails.
func ControlPlaneFiles(nodeName string, local config.APIEndpoint, cluster *config.ClusterConfiguration) ([]ClientFile, error) {
	if nodeName == "" {
		return nil, errors.New("the node name is empty, so kubelet.conf cannot name the node: set nodeRegistration.name or --node-name")
	}
	shared, err := ControlPlaneURL(cluster.ControlPlaneEndpoint, local)
	if err != nil {
		return nil, err
	}
	own, err := LocalURL(local)
	if err != nil {
		return nil, err
	}
	validity := config.DefaultCertificateValidityPeriod
	if cluster.CertificateValidityPeriod != nil {
		validity = cluster.CertificateValidityPeriod.Duration
	}
	algorithm := cluster.EncryptionAlgorithm
	if algorithm == "" {
		algorithm = config.DefaultEncryptionAlgorithm
	}
	clusterName := cluster.ClusterName
	if clusterName == "" {
		clusterName = config.DefaultClusterName
	}
	files := []ClientFile{
		{Name: AdminFile, Server: shared, User: AdminUser, Groups: []string{ClusterAdminsGroup}},
		{Name: SuperAdminFile, Server: shared, User: SuperAdminUser, Groups: []string{SystemMastersGroup}},
		{Name: KubeletFile, Server: own, User: NodeUserPrefix + nodeName, Groups: []string{NodesGroup}},
		{Name: ControllerManagerFile, Server: own, User: ControllerManagerUser},
		{Name: SchedulerFile, Server: own, User: SchedulerUser},
	}
	for i := range files {
		files[i].ClusterName = clusterName
		files[i].Validity = validity
		files[i].Algorithm = algorithm
	}
	return files, nil
}

// Missing counts the files that do not exist in dir yet: the client keys
// Ensure will have to make.
func Missing(dir string, files []ClientFile) int {
	n := 0
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f.Name)); errors.Is(err, fs.ErrNotExist) {
			n++
		}
	}
	return n
}
