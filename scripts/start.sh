#!/usr/bin/env bash
# `npm start`: installs dependencies when missing, builds, and runs the sidecar on the embedded
# default config and policy (override with --config FILE or TOLLGATE_* variables).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.build.json
exec node bin/tollgate.js serve "$@"
