package app

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/config"
)

// Set at build time with -ldflags "-X github.com/kadm-project/kadm/app.gitVersion=...", as
// make build does.
// gitVersion is the Kubernetes release kadm is compatible with, so scripts
// that compare `kubeadm version -o short` with the cluster keep working.
var (
	gitVersion   = config.DefaultKubernetesVersion
	gitCommit    = ""
	gitTreeState = ""
	buildDate    = "1970-01-01T00:00:00Z"
)

// versionInfo has the fields and JSON names of kubeadm's version output.
type versionInfo struct {
	Major        string `json:"major"`
	Minor        string `json:"minor"`
	GitVersion   string `json:"gitVersion"`
	GitCommit    string `json:"gitCommit"`
	GitTreeState string `json:"gitTreeState"`
	BuildDate    string `json:"buildDate"`
	GoVersion    string `json:"goVersion"`
	Compiler     string `json:"compiler"`
	Platform     string `json:"platform"`
}

func currentVersion() versionInfo {
	v := versionInfo{
		GitVersion:   gitVersion,
		GitCommit:    gitCommit,
		GitTreeState: gitTreeState,
		BuildDate:    buildDate,
		GoVersion:    runtime.Version(),
		Compiler:     runtime.Compiler,
		Platform:     runtime.GOOS + "/" + runtime.GOARCH,
	}
	var major, minor int
	if n, _ := fmt.Sscanf(gitVersion, "v%d.%d", &major, &minor); n == 2 {
		v.Major, v.Minor = fmt.Sprint(major), fmt.Sprint(minor)
	}
	if v.GitCommit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					v.GitCommit = s.Value
				case "vcs.modified":
					v.GitTreeState = map[string]string{"true": "dirty", "false": "clean"}[s.Value]
				}
			}
		}
	}
	return v
}

func newVersionCmd(s IOStreams) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubeadm",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := currentVersion()
			switch output {
			case "":
				fmt.Fprintf(s.Out, "%s version: &version.Info{Major:%q, Minor:%q, GitVersion:%q, GitCommit:%q, GitTreeState:%q, BuildDate:%q, GoVersion:%q, Compiler:%q, Platform:%q}\n",
					cmd.Root().Name(), v.Major, v.Minor, v.GitVersion, v.GitCommit, v.GitTreeState, v.BuildDate, v.GoVersion, v.Compiler, v.Platform)
			case "short":
				fmt.Fprintln(s.Out, v.GitVersion)
			case "json":
				b, err := json.MarshalIndent(map[string]versionInfo{"clientVersion": v}, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintln(s.Out, string(b))
			case "yaml":
				b, err := yaml.Marshal(map[string]versionInfo{"clientVersion": v})
				if err != nil {
					return err
				}
				fmt.Fprint(s.Out, string(b))
			default:
				return usagef("invalid output format %q: use one of short, json or yaml", output)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "Output format; available options are 'yaml', 'json' and 'short'")
	return cmd
}
