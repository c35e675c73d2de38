package config

// Migrate rewrites a v1beta3 or v1beta4 config file as v1beta4 with defaults applied, as
// `kubeadm config migrate` does: an InitConfiguration or ClusterConfiguration brings out
// both, defaulted. Unlike kubeadm, it fills in nothing that depends on the host it runs on
// (node name, CRI socket, advertise address, random token values), so that the result is
// the same wherever it is produced, and it keeps the component configs.
func Migrate(source string, old []byte) ([]byte, error) {
	d, err := Parse(source, old)
	if err != nil {
		return nil, err
	}
	if d.Init != nil || d.Cluster != nil {
		if d.Init == nil {
			d.Init = &InitConfiguration{}
		}
		if d.Cluster == nil {
			d.Cluster = &ClusterConfiguration{}
		}
		SetInitDefaults(d.Init)
		SetClusterDefaults(d.Cluster)
	}
	if d.Join != nil {
		SetJoinDefaults(d.Join)
	}
	return Marshal(d)
}
