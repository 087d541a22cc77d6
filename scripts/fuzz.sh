#!/usr/bin/env bash
# Fuzzes every Go fuzz target for a given time each, one after another:
#   scripts/fuzz.sh [seconds per target, default 60] [target name pattern, default all]
# `go test` alone runs only the targets' seed corpora (as part of the README's test command). A failing
# input is written to the package's testdata/fuzz/<Target>/ and the script stops with its error; commit
# that file together with the fix as a regression seed. Every target runs even when one fails; the
# script ends with the list of failed targets.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
pattern=${2:-.}
# Our trees by name: ./... would also take the Go package an npm dependency ships under node_modules/.
packages=(./pkg/... ./cmd/... ./internal/... ./tests/...)
failed=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# -fuzz takes exactly one target per package, so list them and run each on its own.
while read -r pkg dir; do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    if ! grep -Eq -- "$pattern" <<<"$target"; then
      continue
    fi
    echo "== $pkg $target (${seconds}s)"
    start=$(date +%s)
    # -parallel 1: one fuzzing worker, so the machine stays usable for everything else.
    status=0
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="${seconds}s" -parallel 1 "$pkg" >"$log" 2>&1 || status=$?
    # The progress lines every 3 s are noise; the last one says how many inputs were run.
    grep -v '^fuzz: elapsed: [0-9]*s, execs' "$log" || true
    grep '^fuzz: elapsed: [0-9]*s, execs' "$log" | tail -n 1 || true
    echo "   took $(($(date +%s) - start))s"
    if [ "$status" -ne 0 ]; then
      failed+=("$pkg $target")
    fi
  done
done < <(go list -f '{{.ImportPath}} {{.Dir}}' "${packages[@]}")

if [ ${#failed[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
