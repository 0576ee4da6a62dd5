#!/usr/bin/env bash
# Runs a command with Node 22+ first on PATH (see ensure-node.sh).
set -euo pipefail
dir=$(bash "$(dirname "${BASH_SOURCE[0]}")/ensure-node.sh")
PATH="$dir:$PATH" exec "$@"
