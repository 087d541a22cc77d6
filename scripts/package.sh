#!/usr/bin/env bash
# Packs dist/ the way Grafana installs plugins: a zip holding one folder named after the plugin id.
# Usage: scripts/package.sh [output-dir]   (default: the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v zip >/dev/null; then
  echo "npm run package needs the 'zip' command, which is not installed." >&2
  echo "Install it (Debian/Ubuntu: apt-get install zip; Fedora: dnf install zip; macOS has it;" >&2
  echo "Windows: run this in WSL or Git Bash with zip installed), then run it again." >&2
  exit 1
fi
out_dir=$(realpath "${1:-.}")

id=$(node -p "require('./plugin.json').id")
executable=$(node -p "require('./plugin.json').executable")
version=$(node -p "require('./package.json').version")
if [ ! -f dist/module.js ] || ! ls dist/"${executable}"_linux_* >/dev/null 2>&1; then
  echo "dist/ is incomplete: run 'npm run build' first" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -r dist "$stage/$id"
# The modes Grafana's plugin validator expects, whatever the umask of the build: 0755 for the backend binaries,
# 0644 for every other file (go_plugin_build_manifest included: the SDK writes it executable).
find "$stage/$id" -type d -exec chmod 0755 {} +
find "$stage/$id" -type f -exec chmod 0644 {} +
find "$stage/$id" -type f -name "${executable}_*" -exec chmod 0755 {} +
zip_path="$out_dir/$id-$version.zip"
rm -f "$zip_path"
(cd "$stage" && zip -qr "$zip_path" "$id")
echo "$zip_path"
