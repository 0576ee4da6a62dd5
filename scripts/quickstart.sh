#!/usr/bin/env bash
# The README's first command: make sure Node 22+ is there (installing Node 24 locally when the
# machine's is older), install and build kagg, deploy examples/iris/iris.ipynb to this machine and
# call it. Safe to run again: an unchanged notebook redeploys as a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(bash scripts/ensure-node.sh)
export PATH="$dir:$PATH"
echo "==> installing (node $(node --version))" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "==> building" >&2
node scripts/build.mjs >&2
echo "==> kagg deploy examples/iris/iris.ipynb" >&2
node bin/run.js deploy examples/iris/iris.ipynb --name iris
echo "==> kagg invoke iris --data-file examples/iris/request.json" >&2
node bin/run.js invoke iris --data-file examples/iris/request.json
echo "==> next: put kagg on your PATH and try it:  export PATH=\"$(pwd)/bin:\$PATH\"; kagg --help" >&2
