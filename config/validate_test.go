package config

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	testToken   = "abcdef.0123456789abcdef"
	testCAHash  = "sha256:7c1a9d3e2b5f4c6a8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"
	testCertKey = "e6a2eb8581237ab72a4f494f30285ec12a9694d750b9785706a83bfcbbbd2204"
)

// validInit returns init and cluster configurations that pass validation, with the
// host-dependent fields filled in as the caller would.
func validInit() (*InitConfiguration, *ClusterConfiguration) {
	i := DefaultInitConfiguration()
	tok, err := NewBootstrapTokenString(testToken)
	if err != nil {
		panic(err)
	}
	i.BootstrapTokens[0].Token = tok
	i.NodeRegistration.Name = "node-1"
	i.NodeRegistration.CRISocket = DefaultCRISocket
	i.LocalAPIEndpoint.AdvertiseAddress = "10.0.0.1"
	return i, DefaultClusterConfiguration()
}

func validJoin() *JoinConfiguration {
	j := &JoinConfiguration{
		Discovery: Discovery{BootstrapToken: &BootstrapTokenDiscovery{
			Token:             testToken,
			APIServerEndpoint: "10.0.0.1:6443",
			CACertHashes:      []string{testCAHash},
		}},
		NodeRegistration: NodeRegistrationOptions{Name: "node-2", CRISocket: DefaultCRISocket},
	}
	SetJoinDefaults(j)
	return j
}

type validateCase struct {
	name    string
	init    func(*InitConfiguration)
	cluster func(*ClusterConfiguration)
	join    func(*JoinConfiguration)
	// fields are exactly the fields the error must name, in any order; none means valid.
	fields []string
	// detail, when set, must appear in the error.
	detail string
	// secrets must not appear anywhere in the error.
	secrets []string
}

func TestValidate(t *testing.T) {
	t.Parallel()
	kubeconfig := filepath.Join(t.TempDir(), "discovery.conf")
	if err := os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := func(a ...string) []Arg {
		var out []Arg
		for i := 0; i+1 < len(a); i += 2 {
			out = append(out, Arg{Name: a[i], Value: a[i+1]})
		}
		return out
	}
	expires := metav1.NewTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))

	tests := []validateCase{
		// InitConfiguration
		{name: "valid init"},
		{name: "node name required", init: func(i *InitConfiguration) { i.NodeRegistration.Name = "" }, fields: []string{"nodeRegistration.name"}},
		{name: "node name must be lowercase", init: func(i *InitConfiguration) { i.NodeRegistration.Name = "Node_1" }, fields: []string{"nodeRegistration.name"}},
		{name: "cri socket required", init: func(i *InitConfiguration) { i.NodeRegistration.CRISocket = "" }, fields: []string{"nodeRegistration.criSocket"}},
		{name: "cri socket scheme", init: func(i *InitConfiguration) { i.NodeRegistration.CRISocket = "tcp://10.0.0.1:1234" }, fields: []string{"nodeRegistration.criSocket"}, detail: "unix://"},
		{name: "cri socket absolute path accepted", init: func(i *InitConfiguration) { i.NodeRegistration.CRISocket = "/run/containerd/containerd.sock" }},
		{name: "cri socket relative path", init: func(i *InitConfiguration) { i.NodeRegistration.CRISocket = "run/containerd.sock" }, fields: []string{"nodeRegistration.criSocket"}},
		{name: "malformed bootstrap token is redacted", init: func(i *InitConfiguration) {
			i.BootstrapTokens[0].Token = &BootstrapTokenString{ID: "abcdef", Secret: "TOPSECRETVALUE99"}
		}, fields: []string{"bootstrapTokens[0].token"}, detail: `"abcdef.<redacted>"`, secrets: []string{"TOPSECRETVALUE99"}},
		{name: "bootstrap token missing", init: func(i *InitConfiguration) { i.BootstrapTokens[0].Token = nil }, fields: []string{"bootstrapTokens[0].token"}},
		{name: "unknown token usage", init: func(i *InitConfiguration) {
			i.BootstrapTokens[0].Usages = []string{"signing", "authentication", "root"}
		}, fields: []string{"bootstrapTokens[0].usages"}},
		{name: "groups need authentication usage", init: func(i *InitConfiguration) { i.BootstrapTokens[0].Usages = []string{"signing"} }, fields: []string{"bootstrapTokens[0].groups"}},
		{name: "bad token group", init: func(i *InitConfiguration) { i.BootstrapTokens[0].Groups = []string{"system:masters"} }, fields: []string{"bootstrapTokens[0].groups"}},
		{name: "ttl and expires exclusive", init: func(i *InitConfiguration) { i.BootstrapTokens[0].Expires = &expires }, fields: []string{"bootstrapTokens[0]"}},
		{name: "negative ttl", init: func(i *InitConfiguration) { i.BootstrapTokens[0].TTL = duration(-time.Hour) }, fields: []string{"bootstrapTokens[0].ttl"}},
		{name: "advertise address", init: func(i *InitConfiguration) { i.LocalAPIEndpoint.AdvertiseAddress = "10.0.0.300" }, fields: []string{"localAPIEndpoint.advertiseAddress"}},
		{name: "bind port zero", init: func(i *InitConfiguration) { i.LocalAPIEndpoint.BindPort = 0 }, fields: []string{"localAPIEndpoint.bindPort"}},
		{name: "bind port too large", init: func(i *InitConfiguration) { i.LocalAPIEndpoint.BindPort = 70000 }, fields: []string{"localAPIEndpoint.bindPort"}},
		{name: "valid certificate key", init: func(i *InitConfiguration) { i.CertificateKey = testCertKey }},
		{name: "short certificate key is redacted", init: func(i *InitConfiguration) { i.CertificateKey = "deadbeefcafe0123" }, fields: []string{"certificateKey"}, secrets: []string{"deadbeefcafe0123"}},
		{name: "non-hex certificate key is redacted", init: func(i *InitConfiguration) { i.CertificateKey = strings.Repeat("zq", 32) }, fields: []string{"certificateKey"}, secrets: []string{"zqzq"}},
		{name: "kubelet extra arg name", init: func(i *InitConfiguration) { i.NodeRegistration.KubeletExtraArgs = args("v", "4", "", "x") }, fields: []string{"nodeRegistration.kubeletExtraArgs[1].name"}},
		{name: "image pull policy", init: func(i *InitConfiguration) { i.NodeRegistration.ImagePullPolicy = "Sometimes" }, fields: []string{"nodeRegistration.imagePullPolicy"}},
		{name: "ignore all plus a check", init: func(i *InitConfiguration) { i.NodeRegistration.IgnorePreflightErrors = []string{"all", "Swap"} }, fields: []string{"nodeRegistration.ignorePreflightErrors"}},
		{name: "taint effect", init: func(i *InitConfiguration) {
			i.NodeRegistration.Taints = []corev1.Taint{{Key: "a", Effect: "NoSchedule"}, {Key: "b", Effect: "Sometimes"}}
		}, fields: []string{"nodeRegistration.taints[1].effect"}},
		{name: "empty skipped phase", init: func(i *InitConfiguration) { i.SkipPhases = []string{"preflight", " "} }, fields: []string{"skipPhases[1]"}},
		{name: "negative timeout", init: func(i *InitConfiguration) { i.Timeouts.KubeletHealthCheck = duration(-time.Second) }, fields: []string{"timeouts.kubeletHealthCheck"}},
		{name: "all errors collected", init: func(i *InitConfiguration) {
			i.NodeRegistration.Name = ""
			i.LocalAPIEndpoint.AdvertiseAddress = "nowhere"
		}, cluster: func(c *ClusterConfiguration) { c.Networking.ServiceSubnet = "10.96.0.0" },
			fields: []string{"localAPIEndpoint.advertiseAddress", "networking.serviceSubnet", "nodeRegistration.name"}},

		// ClusterConfiguration
		{name: "service subnet unparsable", cluster: func(c *ClusterConfiguration) { c.Networking.ServiceSubnet = "10.96.0.0/33" }, fields: []string{"networking.serviceSubnet"}},
		{name: "service subnet too large", cluster: func(c *ClusterConfiguration) { c.Networking.ServiceSubnet = "10.0.0.0/8" }, fields: []string{"networking.serviceSubnet"}, detail: "/12"},
		{name: "service subnet too small", cluster: func(c *ClusterConfiguration) { c.Networking.ServiceSubnet = "10.96.0.0/29" }, fields: []string{"networking.serviceSubnet"}},
		{name: "dual-stack service subnet", cluster: func(c *ClusterConfiguration) { c.Networking.ServiceSubnet = "10.96.0.0/16,fd00::/112" }},
		{name: "two IPv4 service subnets", cluster: func(c *ClusterConfiguration) { c.Networking.ServiceSubnet = "10.96.0.0/16,10.97.0.0/16" }, fields: []string{"networking.serviceSubnet"}},
		{name: "pod subnet smaller than a node's", cluster: func(c *ClusterConfiguration) { c.Networking.PodSubnet = "10.244.0.0/25" }, fields: []string{"networking.podSubnet"}},
		{name: "pod subnet holds too many nodes", cluster: func(c *ClusterConfiguration) { c.Networking.PodSubnet = "10.0.0.0/7" }, fields: []string{"networking.podSubnet"}},
		{name: "pod subnet with custom node mask", cluster: func(c *ClusterConfiguration) {
			c.Networking.PodSubnet = "10.244.0.0/24"
			c.ControllerManager.ExtraArgs = args("node-cidr-mask-size-ipv4", "20", "node-cidr-mask-size-ipv4", "26")
		}},
		{name: "pod subnet without node allocation", cluster: func(c *ClusterConfiguration) {
			c.Networking.PodSubnet = "10.244.0.0/25"
			c.ControllerManager.ExtraArgs = args("allocate-node-cidrs", "false")
		}},
		{name: "node mask not a number", cluster: func(c *ClusterConfiguration) {
			c.Networking.PodSubnet = "10.244.0.0/16"
			c.ControllerManager.ExtraArgs = args("node-cidr-mask-size-ipv4", "big")
		}, fields: []string{"networking.podSubnet"}},
		{name: "dual-stack pod subnet", cluster: func(c *ClusterConfiguration) { c.Networking.PodSubnet = "10.244.0.0/16,fd00:10:244::/56" }},
		{name: "dns domain", cluster: func(c *ClusterConfiguration) { c.Networking.DNSDomain = "Cluster_Local" }, fields: []string{"networking.dnsDomain"}},
		{name: "control plane endpoint port", cluster: func(c *ClusterConfiguration) { c.ControlPlaneEndpoint = "lb.example.com:99999" }, fields: []string{"controlPlaneEndpoint"}},
		{name: "control plane endpoint forms", cluster: func(c *ClusterConfiguration) { c.ControlPlaneEndpoint = "[fd00::1]:6443" }},
		{name: "control plane endpoint host", cluster: func(c *ClusterConfiguration) { c.ControlPlaneEndpoint = "lb_1" }, fields: []string{"controlPlaneEndpoint"}},
		{name: "cert SANs", cluster: func(c *ClusterConfiguration) {
			c.APIServer.CertSANs = []string{"*.example.com", "10.0.0.1", "bad name!", "API.Example.com", "fd00::1"}
		}, fields: []string{"apiServer.certSANs[2]"}},
		{name: "etcd local and external", cluster: func(c *ClusterConfiguration) { c.Etcd.External = &ExternalEtcd{Endpoints: []string{"https://e:2379"}} }, fields: []string{"etcd"}},
		{name: "etcd neither", cluster: func(c *ClusterConfiguration) { c.Etcd.Local = nil }, fields: []string{"etcd"}},
		{name: "external etcd endpoints required", cluster: func(c *ClusterConfiguration) {
			c.Etcd = Etcd{External: &ExternalEtcd{}}
		}, fields: []string{"etcd.external.endpoints"}},
		{name: "external etcd needs https with certs", cluster: func(c *ClusterConfiguration) {
			c.Etcd = Etcd{External: &ExternalEtcd{Endpoints: []string{"http://e:2379", "https://f:2379"}, CAFile: "/ca.crt", CertFile: "/c.crt", KeyFile: "/c.key"}}
		}, fields: []string{"etcd.external.endpoints[0]"}},
		{name: "external etcd endpoint scheme", cluster: func(c *ClusterConfiguration) {
			c.Etcd = Etcd{External: &ExternalEtcd{Endpoints: []string{"10.0.0.5:2379"}, HTTPEndpoints: []string{"//e:2380"}}}
		}, fields: []string{"etcd.external.endpoints[0]", "etcd.external.httpEndpoints[0]"}},
		{name: "external etcd cert without key", cluster: func(c *ClusterConfiguration) {
			c.Etcd = Etcd{External: &ExternalEtcd{Endpoints: []string{"https://e:2379"}, CAFile: "/ca.crt", CertFile: "/c.crt"}}
		}, fields: []string{"etcd.external"}},
		{name: "external etcd certs need a CA", cluster: func(c *ClusterConfiguration) {
			c.Etcd = Etcd{External: &ExternalEtcd{Endpoints: []string{"https://e:2379"}, CertFile: "/c.crt", KeyFile: "c.key"}}
		}, fields: []string{"etcd.external.caFile", "etcd.external.keyFile"}},
		{name: "etcd data dir", cluster: func(c *ClusterConfiguration) { c.Etcd.Local.DataDir = "var/lib/etcd" }, fields: []string{"etcd.local.dataDir"}},
		{name: "etcd SANs and image", cluster: func(c *ClusterConfiguration) {
			c.Etcd.Local.PeerCertSANs = []string{"ok.example", "-bad"}
			c.Etcd.Local.ImageRepository = "my registry"
		}, fields: []string{"etcd.local.imageRepository", "etcd.local.peerCertSANs[1]"}},
		{name: "component extra arg name", cluster: func(c *ClusterConfiguration) { c.APIServer.ExtraArgs = args("", "x") }, fields: []string{"apiServer.extraArgs[0].name"}},
		{name: "extra volume fields", cluster: func(c *ClusterConfiguration) {
			c.ControllerManager.ExtraVolumes = []HostPathMount{{Name: "v", MountPath: "/m", PathType: "Pipe"}}
		}, fields: []string{"controllerManager.extraVolumes[0].hostPath", "controllerManager.extraVolumes[0].pathType"}},
		{name: "extra env name", cluster: func(c *ClusterConfiguration) {
			c.Scheduler.ExtraEnvs = []EnvVar{{EnvVar: corev1.EnvVar{Value: "x"}}}
		}, fields: []string{"scheduler.extraEnvs[0].name"}},
		{name: "encryption algorithm", cluster: func(c *ClusterConfiguration) { c.EncryptionAlgorithm = "RSA-1024" }, fields: []string{"encryptionAlgorithm"}, detail: "ECDSA-P384"},
		{name: "feature gates", cluster: func(c *ClusterConfiguration) {
			c.FeatureGates = map[string]bool{FeatureGateRootlessControlPlane: true, "Foo": true}
		}, fields: []string{"featureGates.Foo"}},
		{name: "image repositories", cluster: func(c *ClusterConfiguration) {
			c.ImageRepository = "registry.example.com/UPPER"
			c.DNS.ImageRepository = "localhost:5000/coredns-mirror"
		}, fields: []string{"imageRepository"}},
		{name: "kubernetes version too old", cluster: func(c *ClusterConfiguration) { c.KubernetesVersion = "v1.35.4" }, fields: []string{"kubernetesVersion"}, detail: MinimumControlPlaneVersion},
		{name: "kubernetes version label", cluster: func(c *ClusterConfiguration) { c.KubernetesVersion = "stable-1" }},
		{name: "kubernetes version garbage", cluster: func(c *ClusterConfiguration) { c.KubernetesVersion = "v1.37" }, fields: []string{"kubernetesVersion"}},
		{name: "kubernetes version without v", cluster: func(c *ClusterConfiguration) { c.KubernetesVersion = "1.36.0" }},
		{name: "kubernetes version newer is only warned about", cluster: func(c *ClusterConfiguration) { c.KubernetesVersion = "v1.38.0" }},
		{name: "certificates dir", cluster: func(c *ClusterConfiguration) { c.CertificatesDir = "pki" }, fields: []string{"certificatesDir"}},
		{name: "validity period", cluster: func(c *ClusterConfiguration) { c.CertificateValidityPeriod = duration(0) }, fields: []string{"certificateValidityPeriod"}},

		// JoinConfiguration
		{name: "valid join", join: func(*JoinConfiguration) {}},
		{name: "no discovery", join: func(j *JoinConfiguration) { j.Discovery = Discovery{} }, fields: []string{"discovery"}},
		{name: "two discovery methods", join: func(j *JoinConfiguration) {
			j.Discovery.File = &FileDiscovery{KubeConfigPath: "https://example.com/kubeconfig"}
		}, fields: []string{"discovery"}},
		{name: "discovery token redacted", join: func(j *JoinConfiguration) {
			j.Discovery.BootstrapToken.Token = "abcdef.SECRETSECRETSECR"
			j.Discovery.TLSBootstrapToken = j.Discovery.BootstrapToken.Token
		}, fields: []string{"discovery.bootstrapToken.token", "discovery.tlsBootstrapToken"}, secrets: []string{"SECRETSECRETSECR"}},
		{name: "garbled token hides everything", join: func(j *JoinConfiguration) {
			j.Discovery.BootstrapToken.Token = "0123456789abcdef.abcdef"
			j.Discovery.TLSBootstrapToken = testToken
		}, fields: []string{"discovery.bootstrapToken.token"}, secrets: []string{"0123456789abcdef"}},
		{name: "tls bootstrap token redacted", join: func(j *JoinConfiguration) { j.Discovery.TLSBootstrapToken = "ghijkl.HIDDENHIDDENHIDD" }, fields: []string{"discovery.tlsBootstrapToken"}, secrets: []string{"HIDDENHIDDENHIDD"}},
		{name: "api server endpoint required", join: func(j *JoinConfiguration) { j.Discovery.BootstrapToken.APIServerEndpoint = "" }, fields: []string{"discovery.bootstrapToken.apiServerEndpoint"}},
		{name: "api server endpoint needs a port", join: func(j *JoinConfiguration) { j.Discovery.BootstrapToken.APIServerEndpoint = "10.0.0.1" }, fields: []string{"discovery.bootstrapToken.apiServerEndpoint"}},
		{name: "CA pin required", join: func(j *JoinConfiguration) { j.Discovery.BootstrapToken.CACertHashes = nil }, fields: []string{"discovery.bootstrapToken.caCertHashes"}, detail: "unsafeSkipCAVerification"},
		{name: "unsafe skip CA verification", join: func(j *JoinConfiguration) {
			j.Discovery.BootstrapToken.CACertHashes = nil
			j.Discovery.BootstrapToken.UnsafeSkipCAVerification = true
		}},
		{name: "unsupported hash type", join: func(j *JoinConfiguration) {
			j.Discovery.BootstrapToken.CACertHashes = []string{testCAHash, "md5:0123456789abcdef0123456789abcdef"}
		}, fields: []string{"discovery.bootstrapToken.caCertHashes[1]"}, detail: "sha256"},
		{name: "short hash", join: func(j *JoinConfiguration) {
			j.Discovery.BootstrapToken.CACertHashes = []string{"sha256:abcd"}
		}, fields: []string{"discovery.bootstrapToken.caCertHashes[0]"}},
		{name: "upper-case hash type accepted", join: func(j *JoinConfiguration) {
			j.Discovery.BootstrapToken.CACertHashes = []string{"SHA256:" + strings.ToUpper(testCAHash[7:])}
		}},
		{name: "file discovery over http", join: func(j *JoinConfiguration) {
			j.Discovery = Discovery{File: &FileDiscovery{KubeConfigPath: "http://example.com/kubeconfig"}}
		}, fields: []string{"discovery.file.kubeConfigPath"}, detail: "https"},
		{name: "file discovery other scheme", join: func(j *JoinConfiguration) {
			j.Discovery = Discovery{File: &FileDiscovery{KubeConfigPath: "ftp://example.com/kubeconfig"}}
		}, fields: []string{"discovery.file.kubeConfigPath"}},
		{name: "file discovery over https", join: func(j *JoinConfiguration) {
			j.Discovery = Discovery{File: &FileDiscovery{KubeConfigPath: "https://example.com/kubeconfig"}}
		}},
		{name: "file discovery missing file", join: func(j *JoinConfiguration) {
			j.Discovery = Discovery{File: &FileDiscovery{KubeConfigPath: kubeconfig + ".missing"}}
		}, fields: []string{"discovery.file.kubeConfigPath"}},
		{name: "file discovery existing file", join: func(j *JoinConfiguration) {
			j.Discovery = Discovery{File: &FileDiscovery{KubeConfigPath: kubeconfig}}
		}},
		{name: "file discovery checks a given tls token", join: func(j *JoinConfiguration) {
			j.Discovery = Discovery{File: &FileDiscovery{KubeConfigPath: kubeconfig}, TLSBootstrapToken: "nope"}
		}, fields: []string{"discovery.tlsBootstrapToken"}, secrets: []string{"nope"}},
		{name: "ca cert path", join: func(j *JoinConfiguration) { j.CACertPath = "/etc/kubernetes/pki/ca.pem" }, fields: []string{"caCertPath"}},
		{name: "join control plane", join: func(j *JoinConfiguration) {
			j.ControlPlane = &JoinControlPlane{LocalAPIEndpoint: APIEndpoint{AdvertiseAddress: "x", BindPort: 6443}, CertificateKey: "Ab12"}
		}, fields: []string{"controlPlane.certificateKey", "controlPlane.localAPIEndpoint.advertiseAddress"}, secrets: []string{"Ab12"}},
		{name: "join node registration", join: func(j *JoinConfiguration) {
			j.NodeRegistration.ImagePullPolicy = "always"
			j.SkipPhases = []string{""}
		}, fields: []string{"nodeRegistration.imagePullPolicy", "skipPhases[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.join != nil {
				j := validJoin()
				tt.join(j)
				err = ValidateJoin(j)
			} else {
				i, c := validInit()
				if tt.init != nil {
					tt.init(i)
				}
				if tt.cluster != nil {
					tt.cluster(c)
				}
				err = ValidateInit(i, c)
			}
			checkValidation(t, err, tt)
		})
	}
}

func checkValidation(t *testing.T, err error, tt validateCase) {
	t.Helper()
	if len(tt.fields) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a *ValidationError", err)
	}
	var got []string
	for _, fe := range ve.Errors {
		got = append(got, fe.Field)
	}
	sort.Strings(got)
	want := append([]string(nil), tt.fields...)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields named (-want +got):\n%s\nerror: %v", diff, err)
	}
	if tt.detail != "" && !strings.Contains(err.Error(), tt.detail) {
		t.Errorf("error does not mention %q:\n%v", tt.detail, err)
	}
	for _, s := range tt.secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error leaks the secret %q:\n%v", s, err)
		}
	}
}

// TestValidateJoinPhase: a phase that does not discover the cluster needs no
// discovery section, but one that is set is still checked.
func TestValidateJoinPhase(t *testing.T) {
	t.Parallel()
	j := validJoin()
	j.Discovery = Discovery{}
	if err := ValidateJoinPhase(j); err != nil {
		t.Errorf("without discovery: %v", err)
	}
	if err := ValidateJoin(j); err == nil || !strings.Contains(err.Error(), "discovery") {
		t.Errorf("ValidateJoin without discovery: %v, want an error about discovery", err)
	}
	j.Discovery = Discovery{BootstrapToken: &BootstrapTokenDiscovery{Token: "abcdef.0123456789abcdef"}}
	j.NodeRegistration.ImagePullPolicy = "always"
	checkValidation(t, ValidateJoinPhase(j), validateCase{fields: []string{
		"discovery.bootstrapToken.apiServerEndpoint", "discovery.bootstrapToken.caCertHashes", "discovery.tlsBootstrapToken", "nodeRegistration.imagePullPolicy"}})
}

func TestValidateClusterAlone(t *testing.T) {
	t.Parallel()
	c := DefaultClusterConfiguration()
	if err := ValidateCluster(c); err != nil {
		t.Fatalf("default cluster configuration: %v", err)
	}
	c.Networking.DNSDomain = "-"
	err := ValidateCluster(c)
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) != 1 || ve.Errors[0].Field != "networking.dnsDomain" {
		t.Errorf("error = %v, want one about networking.dnsDomain", err)
	}
}

func TestValidationErrorFormat(t *testing.T) {
	t.Parallel()
	err := WithSource(&ValidationError{Errors: []FieldError{
		{Field: "a.b", Detail: "bad"},
		{Field: "c[1]", Detail: "worse"},
	}}, "kadm.yaml")
	want := "kadm.yaml: a.b: bad\nkadm.yaml: c[1]: worse"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if WithSource(nil, "x") != nil {
		t.Errorf("WithSource(nil) is not nil")
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	i, c := validInit()
	i.NodeRegistration.CRISocket = "/run/crio/crio.sock"
	i.Patches = &Patches{Directory: "patches"}
	c.KubernetesVersion = "v1.38.1"
	c.FeatureGates = map[string]bool{FeatureGateRootlessControlPlane: true}
	c.CertificateValidityPeriod = duration(2 * DefaultCertificateValidityPeriod)
	c.CACertificateValidityPeriod = duration(DefaultCertificateValidityPeriod)
	c.Networking.PodSubnet = "fec0::/56"
	if err := ValidateInit(i, c); err != nil {
		t.Fatalf("warnings must not be errors: %v", err)
	}
	var got []string
	for _, w := range InitWarnings(i, c) {
		got = append(got, w.Field)
	}
	want := []string{
		"nodeRegistration.criSocket", "patches.directory", "kubernetesVersion",
		"featureGates.RootlessControlPlane", "certificateValidityPeriod", "certificateValidityPeriod",
		"networking.podSubnet",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("InitWarnings fields (-want +got):\n%s", diff)
	}
	if got := CRISocketURL(i.NodeRegistration.CRISocket); got != "unix:///run/crio/crio.sock" {
		t.Errorf("CRISocketURL = %q", got)
	}

	j := validJoin()
	if w := JoinWarnings(j); len(w) != 0 {
		t.Errorf("JoinWarnings of a clean config = %v", w)
	}
	j.Patches = &Patches{}
	if w := JoinWarnings(j); len(w) != 1 || w[0].Field != "patches.directory" {
		t.Errorf("JoinWarnings = %v, want one about patches.directory", w)
	}
}

// TestFullConfigValidates checks the validators accept a config that uses every field.
func TestFullConfigValidates(t *testing.T) {
	t.Parallel()
	d, err := Load(filepath.Join("testdata", "roundtrip", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	SetInitDefaults(d.Init)
	SetClusterDefaults(d.Cluster)
	SetJoinDefaults(d.Join)
	if err := ValidateInit(d.Init, d.Cluster); err != nil {
		t.Errorf("init: %v", err)
	}
	if err := ValidateJoin(d.Join); err != nil {
		t.Errorf("join: %v", err)
	}
}
