#!/usr/bin/env bash
# Packs dist/ the way Grafana installs plugins: a zip holding one folder named after the plugin id.
# Usage: scripts/package.sh [output-dir]   (default: the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir=$(realpath "${1:-.}")

id=$(node -p "require('./plugin.json').id")
version=$(node -p "require('./package.json').version")
if [ ! -f dist/module.js ] || ! ls dist/gpx_sapcpi_linux_* >/dev/null 2>&1; then
  echo "dist/ is incomplete: run 'npm run build' first" >&2
  exit 1
fi
if ! command -v zip >/dev/null; then
  echo "zip is not installed (Debian/Ubuntu: apt-get install zip)" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -r dist "$stage/$id"
rm -f "$stage/$id/go_plugin_build_manifest"
zip_path="$out_dir/$id-$version.zip"
rm -f "$zip_path"
(cd "$stage" && zip -qr "$zip_path" "$id")
echo "$zip_path"
