#!/usr/bin/env bash
# Prints a directory whose `node` is version 22 or newer, installing Node 24 from the npm registry
# into .tools/node (inside the checkout) when the machine's own Node is older. Source-free: callers
# put the printed directory first on PATH.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
local_dir="$root/.tools/node"
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -x "$local_dir/node_modules/.bin/node" ] && [ "$(major "$local_dir/node_modules/.bin/node")" -ge 22 ]; then
  echo "$local_dir/node_modules/.bin"; exit 0
fi
if command -v node >/dev/null && [ "$(major node)" -ge 22 ]; then
  dirname "$(command -v node)"; exit 0
fi
echo "kagg: Node $(node --version 2>/dev/null || echo none) is older than 22; installing Node 24 into .tools/node" >&2
mkdir -p "$local_dir"
# node@24's preinstall fetches the platform binary package; it must be allowed explicitly.
printf '{"private":true,"allowScripts":{"node":true}}\n' > "$local_dir/package.json"
(cd "$local_dir" && npm install --no-audit --no-fund --loglevel=error node@24 >&2)
echo "$local_dir/node_modules/.bin"
