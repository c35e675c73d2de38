#!/usr/bin/env bash
# Runs kadm's end-to-end suite (test/e2e, build tag e2e): simulated hosts with
# their own containerd and real kubelets v1.37.2, running the real etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy and
# CoreDNS, which it builds first (once; hack/build-e2e-bins.sh skips what is up
# to date), and the previous release the upgrade tests start from.
#
# Usage: hack/e2e.sh [go test flags, e.g. -run TestInit -v]
# Environment: KADM_E2E_BIN_DIR (where the binaries are built and found),
# KADM_E2E_PREVIOUS_BIN_DIR (the same for the previous release, beside it),
# KADM_E2E_TIMEOUT (go test -timeout, default 40m), KADM_E2E_KEEP (keep a
# failed test's hosts), KADM_E2E_ARTIFACTS (copy failed tests' logs there),
# KADM_E2E_LOG_LINES (log lines printed per file on failure). See
# test/e2e/README.md.
set -euo pipefail

if [[ "$(id -u)" -ne 0 ]]; then
	echo "make e2e: the kadm e2e suite needs root: it creates network, mount and PID namespaces, cgroups and veth pairs." >&2
	echo "make e2e: run it as root, e.g. sudo make e2e" >&2
	exit 1
fi

# What the hosts run from the machine, and the Debian package that brings it.
missing=()
while read -r path package; do
	[[ -e "$path" ]] || missing+=("$package (for $path)")
done <<'EOF'
/usr/sbin/ip iproute2
/usr/bin/nsenter util-linux
/usr/bin/unshare util-linux
/usr/bin/containerd containerd
/usr/bin/containerd-shim-runc-v2 containerd
/usr/bin/ctr containerd
/lib/systemd/system/containerd.service containerd
/usr/sbin/runc runc
/usr/lib/cni/bridge containernetworking-plugins
/usr/lib/cni/host-local containernetworking-plugins
/usr/lib/cni/loopback containernetworking-plugins
/usr/sbin/xtables-nft-multi iptables
/usr/sbin/nft nftables
/usr/bin/ldd libc-bin
EOF
if ((${#missing[@]} > 0)); then
	echo "make e2e: the e2e hosts need these Debian packages, which are missing:" >&2
	printf '  %s\n' "${missing[@]}" >&2
	echo "make e2e: install them with: apt-get install containerd runc containernetworking-plugins iptables nftables iproute2 util-linux" >&2
	exit 1
fi

# One suite at a time on a machine: each run starts by sweeping the lab's
# hosts, which would tear down another run's. The lock sits with the lab's
# state, not in the machine's /run.
lock="${TMPDIR:-/tmp}/kadm-e2e.lock"
exec 9>"$lock"
if ! flock -n 9; then
	echo "make e2e: another e2e run holds $lock; waiting for it" >&2
	flock 9
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KADM_E2E_BIN_DIR="${KADM_E2E_BIN_DIR:-$HOME/.cache/kadm/e2e-bin/v1.37.2}"
"$root/hack/build-e2e-bins.sh" "$KADM_E2E_BIN_DIR"
# The release before, which the upgrade tests start from (test/e2e/tools/previous).
previous="$(awk '$1 == "k8s.io/kubernetes" { print $2 }' "$root/test/e2e/tools/previous/go.mod")"
export KADM_E2E_PREVIOUS_BIN_DIR="${KADM_E2E_PREVIOUS_BIN_DIR:-$(dirname "$KADM_E2E_BIN_DIR")/$previous}"
KADM_E2E_TOOLS=test/e2e/tools/previous "$root/hack/build-e2e-bins.sh" "$KADM_E2E_PREVIOUS_BIN_DIR"

# How many tests run at once is decided by the inotify budget the tests
# reserve their nodes from (framework.Budget), not by go test's -parallel,
# which must only never keep the parallel subtests of a test holding a
# reservation from running.
cd "$root"
exec go test -tags e2e -count=1 -parallel 64 -timeout "${KADM_E2E_TIMEOUT:-40m}" ./test/e2e/... "$@"
