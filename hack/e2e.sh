#!/usr/bin/env bash
# Runs kadm's end-to-end suite (test/e2e, build tag e2e): simulated hosts in
# network, mount, UTS and PID namespaces, the kubelet stand-in, and the real
# etcd, kube-apiserver, kube-controller-manager and kube-scheduler, which it
# builds first (once; hack/build-e2e-bins.sh skips what is up to date).
#
# Usage: hack/e2e.sh [go test flags, e.g. -run TestInit -v]
# Environment: KADM_E2E_BIN_DIR (where the binaries are built and found),
# KADM_E2E_TIMEOUT (go test -timeout, default 30m), KADM_E2E_KEEP (keep a
# failed test's hosts), KADM_E2E_ARTIFACTS (copy failed tests' logs there),
# KADM_E2E_LOG_LINES (log lines printed per file on failure). See
# test/e2e/README.md.
set -euo pipefail

if [[ "$(id -u)" -ne 0 ]]; then
	echo "make e2e: the kadm e2e suite needs root: it creates network, mount and PID namespaces and veth pairs." >&2
	echo "make e2e: run it as root, e.g. sudo make e2e" >&2
	exit 1
fi
for tool in ip nsenter unshare; do
	if ! command -v "$tool" >/dev/null; then
		echo "make e2e: the e2e hosts need $tool (iproute2, util-linux) on PATH" >&2
		exit 1
	fi
done

# One suite at a time on a machine: each run starts by sweeping the lab's
# hosts, which would tear down another run's.
exec 9>/run/kadm-e2e.lock
if ! flock -n 9; then
	echo "make e2e: another e2e run holds /run/kadm-e2e.lock; waiting for it" >&2
	flock 9
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KADM_E2E_BIN_DIR="${KADM_E2E_BIN_DIR:-$HOME/.cache/kadm/e2e-bin/v1.37.2}"
"$root/hack/build-e2e-bins.sh" "$KADM_E2E_BIN_DIR"

cd "$root"
exec go test -tags e2e -count=1 -timeout "${KADM_E2E_TIMEOUT:-30m}" ./test/e2e/... "$@"
