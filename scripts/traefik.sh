#!/usr/bin/env bash
# Prints the path of a Traefik binary built from source (scripts/traefik/go.mod pins the version),
# building it into .tools/bin once per version (~7 minutes alone on 2 cores, longer when shared; 178 MB
# stripped). --no-build: print the path, or fail if it is not built yet (tests use this).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(awk '$1 == "github.com/traefik/traefik/v3" { print $2 }' "$root/scripts/traefik/go.mod")
bin="$root/.tools/bin/traefik-$version"
if [ ! -x "$bin" ] && [ "${1:-}" = --no-build ]; then
  echo "traefik $version is not built: run scripts/setup-test-deps.sh (or scripts/traefik.sh)" >&2
  exit 1
fi
if [ ! -x "$bin" ]; then
  echo "setup: building traefik $version into .tools/bin (several minutes)" >&2
  mkdir -p "$root/.tools/bin"
  (cd "$root/scripts/traefik" && go build -trimpath -ldflags "-s -w" -o "$bin.tmp" github.com/traefik/traefik/v3/cmd/traefik) >&2
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
