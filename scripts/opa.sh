#!/usr/bin/env bash
# Prints the path of the pinned OPA CLI, installing it with `go install` into .tools/bin when missing.
set -euo pipefail
OPA_VERSION=v1.22.3
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin/opa"
# grep reads all of it (no -q): quitting early would kill `opa version` with SIGPIPE, and pipefail would reinstall.
if [ ! -x "$bin" ] || ! "$bin" version 2>/dev/null | grep "^Version: ${OPA_VERSION#v}$" >/dev/null; then
  echo "installing OPA $OPA_VERSION into .tools/bin" >&2
  GOBIN="$root/.tools/bin" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@$OPA_VERSION" >&2
fi
echo "$bin"
