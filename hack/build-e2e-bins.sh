#!/usr/bin/env bash
# Builds the upstream binaries that kadm's e2e hosts run and its benchmarks compare against,
# skipping any binary already built from the same inputs:
#   - from the tools module in test/e2e/tools (one `go build` for all that are out of date, so
#     the compiler shares its work): etcd, kube-apiserver, kube-controller-manager,
#     kube-scheduler, kubelet, kube-proxy, kubeadm, coredns, and the programs of the e2e
#     suite's own images (pause, probe);
#   - crictl from cri-tools and the registry from distribution, each with its own
#     go.mod (`go install module@version`).
#
# Usage: hack/build-e2e-bins.sh [OUTDIR]
# OUTDIR defaults to ${KADM_E2E_BIN_DIR:-$HOME/.cache/kadm/e2e-bin/<kubernetes version>}.
# KADM_E2E_TOOLS names another tools module, relative to the repository: test/e2e/tools/previous
# builds every cmd/* of the previous minor release, which the upgrade tests start from, into its
# own directory (crictl and the registry come only with test/e2e/tools).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$(cd "$repo/${KADM_E2E_TOOLS:-test/e2e/tools}" && pwd)"
cd "$tools"

# crictl's release; the CRI it speaks is the kubelet's.
crictl_module=sigs.k8s.io/cri-tools
crictl_version=v1.37.0
# The image registry of the air-gapped install test.
registry_module=github.com/distribution/distribution/v3
registry_version=v3.1.2

kube_version="$(awk '$1 == "k8s.io/kubernetes" { print $2 }' go.mod)"
if [[ ! "$kube_version" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+$ ]]; then
	echo "build-e2e-bins: cannot read the k8s.io/kubernetes release from $tools/go.mod" >&2
	exit 1
fi
kube_major="${BASH_REMATCH[1]}"
kube_minor="${BASH_REMATCH[2]}"

outdir="${1:-${KADM_E2E_BIN_DIR:-$HOME/.cache/kadm/e2e-bin/$kube_version}}"
mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"

build_date="$(date -u ${SOURCE_DATE_EPOCH:+--date=@"$SOURCE_DATE_EPOCH"} +%Y-%m-%dT%H:%M:%SZ)"
# The version stamps of the Kubernetes binaries; a binary that does not link these packages
# (etcd, coredns, the image programs) is not changed by them.
ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
	ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=$kube_major"
	ldflags+=" -X $pkg.gitMinor=$kube_minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

# The tools module is built on its own, whatever go.work or VCS state surrounds it.
export GOWORK=off CGO_ENABLED=0
unset GOFLAGS

# recipe is how the binaries are built; bump it when that changes (the flags,
# the environment, the steps). A binary's inputs hash the recipe, not this whole
# script, so that editing anything else here rebuilds nothing.
recipe="1: CGO_ENABLED=0 go build -trimpath -buildvcs=false, -s -w, version stamps of $kube_version"

# inputs_of BIN prints the hash of what BIN is built from.
inputs_of() {
	{
		go env GOVERSION GOOS GOARCH
		echo "$recipe"
		if [[ "$1" == crictl ]]; then
			echo "$crictl_module@$crictl_version"
		elif [[ "$1" == registry ]]; then
			echo "$registry_module@$registry_version"
		else
			cat go.mod go.sum cmd/"$1"/*.go
		fi
	} | sha256sum | cut -d' ' -f1
}

up_to_date() {
	[[ -x "$outdir/$1" && -f "$outdir/.$1.inputs" && "$(<"$outdir/.$1.inputs")" == "$(inputs_of "$1")" ]]
}

# with_progress LABEL CMD... runs CMD, saying every 30 s that it still runs: a cold build
# takes minutes.
with_progress() {
	local label="$1" start=$SECONDS
	shift
	"$@" &
	local pid=$!
	while ! wait_for "$pid" 30; do
		echo "build-e2e-bins: still building $label ($((SECONDS - start))s)"
	done
	wait "$pid"
}

# wait_for PID SECONDS returns 0 once PID has exited, 1 if it still runs after SECONDS.
wait_for() {
	local i
	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 1
	done
	! kill -0 "$1" 2>/dev/null
}

total_start=$SECONDS
stale=()
for dir in cmd/*/; do
	bin="$(basename "$dir")"
	if up_to_date "$bin"; then
		echo "$bin: up to date"
	else
		stale+=("$bin")
	fi
done

tmp="$(mktemp -d "$outdir/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

if ((${#stale[@]} > 0)); then
	echo "build-e2e-bins: building ${stale[*]} with one go build (a cold build takes 15-25 minutes on 2 cores)"
	start=$SECONDS
	pkgs=()
	for bin in "${stale[@]}"; do
		pkgs+=("./cmd/$bin")
		rm -f "$outdir/.$bin.inputs"
	done
	if ! with_progress "${stale[*]}" go build -trimpath -buildvcs=false -ldflags="$ldflags" -o "$tmp/" "${pkgs[@]}"; then
		echo "build-e2e-bins: building ${stale[*]} failed" >&2
		exit 1
	fi
	for bin in "${stale[@]}"; do
		mv -f "$tmp/$bin" "$outdir/$bin"
		inputs_of "$bin" >"$outdir/.$bin.inputs"
	done
	echo "build-e2e-bins: built ${stale[*]} in $((SECONDS - start))s"
fi

# install_tool BIN VERSION PACKAGE LDFLAGS builds a tool with its own go.mod, which
# would otherwise raise the Kubernetes binaries' dependency versions.
install_tool() {
	local bin=$1 version=$2 pkg=$3 flags=$4
	if up_to_date "$bin"; then
		echo "$bin: up to date"
		return
	fi
	echo "build-e2e-bins: building $bin $version"
	start=$SECONDS
	rm -f "$outdir/.$bin.inputs"
	if ! with_progress "$bin" env GOBIN="$tmp" go install -trimpath -buildvcs=false -ldflags="$flags" "$pkg@$version"; then
		echo "build-e2e-bins: building $bin failed" >&2
		exit 1
	fi
	mv -f "$tmp/$bin" "$outdir/$bin"
	inputs_of "$bin" >"$outdir/.$bin.inputs"
	echo "build-e2e-bins: built $bin in $((SECONDS - start))s"
}
if [[ "$tools" == "$repo/test/e2e/tools" ]]; then
	install_tool crictl "$crictl_version" "$crictl_module/cmd/crictl" "-s -w -X $crictl_module/pkg/version.Version=$crictl_version"
	install_tool registry "$registry_version" "$registry_module/cmd/registry" "-s -w"
fi
echo "e2e binaries ready in $outdir ($((SECONDS - total_start))s)"
