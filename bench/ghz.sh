#!/usr/bin/env bash
# Prints the path of the pinned ghz (gRPC load generator), installing it with `go install` into .tools/bin when missing.
set -euo pipefail
GHZ_VERSION=v0.120.0
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin/ghz"
stamp="$root/.tools/bin/.ghz-$GHZ_VERSION"
if [ ! -x "$bin" ] || [ ! -f "$stamp" ]; then
  echo "installing ghz $GHZ_VERSION into .tools/bin" >&2
  GOBIN="$root/.tools/bin" GOFLAGS=-mod=mod go install "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION" >&2
  touch "$stamp"
fi
echo "$bin"
