#!/usr/bin/env bash
# Runs every Go fuzz test of kadm (func Fuzz... in the product's packages)
# for FUZZTIME each, one after the other: go test fuzzes one test at a time.
# What a fuzzer finds is written to its package's testdata/fuzz/<FuzzTest>/,
# where go test (and so make test) runs it from then on as a seed.
#
# Usage: hack/fuzz.sh [package pattern ...]   (default: ./...)
# Environment: FUZZTIME (go test -fuzztime, default 30s), GO (default go).
set -euo pipefail

cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-30s}"
go="${GO:-go}"
patterns=("$@")
[[ ${#patterns[@]} -gt 0 ]] || patterns=(./...)

found=0
for dir in $("$go" list -f '{{.Dir}}' "${patterns[@]}"); do
	for name in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		found=$((found + 1))
		pkg="./$(realpath --relative-to=. "$dir")"
		echo "== $name ($pkg) for $fuzztime"
		"$go" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
	done
done
if [[ $found -eq 0 ]]; then
	echo "hack/fuzz.sh: no fuzz test in ${patterns[*]}" >&2
	exit 1
fi
echo "== $found fuzz tests ran for $fuzztime each without a finding"
