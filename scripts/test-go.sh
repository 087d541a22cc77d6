#!/usr/bin/env bash
# Go checks of the README test command: vet, golangci-lint, and every Go test. The host-harness tests run
# against the binary the build just put in dist/, so what ships is what gets tested.
set -euo pipefail
cd "$(dirname "$0")/.."

arch=$(go env GOARCH)
binary="$PWD/dist/gpx_sapcpi_linux_${arch}"
if [ ! -x "$binary" ]; then
  echo "missing $binary: run 'npm run build' first" >&2
  exit 1
fi

lint_version=v2.15.0
lint="$(go env GOPATH)/bin/golangci-lint"
if ! "$lint" version 2>/dev/null | grep -q "${lint_version#v}"; then
  echo "installing golangci-lint ${lint_version} (once per machine)"
  go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${lint_version}"
fi

# Our trees by name: ./... would also take the Go package an npm dependency ships under node_modules/.
packages=(./pkg/... ./cmd/... ./internal/... ./tests/...)
go vet "${packages[@]}"
# Another checkout on the same machine may be linting at the same time: run beside it instead of failing.
"$lint" run --allow-parallel-runners "${packages[@]}"
SAPCPI_PLUGIN_BINARY="$binary" go test -count=1 "${packages[@]}"
