#!/usr/bin/env bash
# Builds the upstream binaries that kadm's e2e tests run and its benchmarks compare against
# (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubeadm) from the tools
# module in test/e2e/tools, skipping any binary already built from the same inputs.
#
# Usage: hack/build-e2e-bins.sh [OUTDIR]
# OUTDIR defaults to ${KADM_E2E_BIN_DIR:-$HOME/.cache/kadm/e2e-bin/<kubernetes version>}.
set -euo pipefail

tools="$(cd "$(dirname "${BASH_SOURCE[0]}")/../test/e2e/tools" && pwd)"
script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
cd "$tools"

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
kube_ldflags=""
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
	kube_ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=$kube_major"
	kube_ldflags+=" -X $pkg.gitMinor=$kube_minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

# The tools module is built on its own, whatever go.work or VCS state surrounds it.
export GOWORK=off CGO_ENABLED=0

total_start=$SECONDS
for bin in etcd kube-apiserver kube-controller-manager kube-scheduler kubeadm; do
	start=$SECONDS
	inputs="$({
		go env GOVERSION GOOS GOARCH
		cat go.mod go.sum "$script" cmd/"$bin"/*.go
	} | sha256sum | cut -d' ' -f1)"
	stamp="$outdir/.$bin.inputs"
	if [[ -x "$outdir/$bin" && -f "$stamp" && "$(<"$stamp")" == "$inputs" ]]; then
		echo "$bin: up to date"
		continue
	fi

	ldflags="-s -w"
	[[ "$bin" == etcd ]] || ldflags+="$kube_ldflags"
	rm -f "$stamp"
	if ! go build -trimpath -buildvcs=false -ldflags="$ldflags" -o "$outdir/.$bin.tmp" ./cmd/"$bin"; then
		rm -f "$outdir/.$bin.tmp"
		echo "build-e2e-bins: building $bin failed" >&2
		exit 1
	fi
	mv -f "$outdir/.$bin.tmp" "$outdir/$bin"
	echo "$inputs" >"$stamp"
	echo "$bin: built in $((SECONDS - start))s"
done
echo "e2e binaries ready in $outdir ($((SECONDS - total_start))s)"
