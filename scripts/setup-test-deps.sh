#!/usr/bin/env bash
# Installs what the test suite runs for real: the pinned OPA CLI, ghz and helm, Traefik built from source
# (scripts/traefik.sh: several minutes, once per version), Caddy, nginx with its Lua module, Redis and
# docker-compose (to validate docker-compose.yml) and wrk (the benchmark smoke test) from Debian,
# and a Python virtualenv with the pinned LiteLLM proxy and the tollgate_litellm hook.
# Idempotent: skips whatever is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/scripts/opa.sh" >/dev/null
"$root/bench/ghz.sh" >/dev/null   # the benchmark smoke test drives Envoy gRPC load with ghz
"$root/scripts/traefik.sh" >/dev/null

HELM_VERSION=v3.22.0
if ! go version -m "$root/.tools/bin/helm" 2>/dev/null | grep -qE "^\s+mod\s+helm.sh/helm/v3\s+$HELM_VERSION\s"; then
  echo "setup: installing helm $HELM_VERSION into .tools/bin" >&2
  GOBIN="$root/.tools/bin" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
fi

missing=()
for tool in caddy nginx redis-server docker-compose wrk; do command -v "$tool" >/dev/null || missing+=("$tool"); done
# nginx's Lua module and cjson: the OpenResty core the Kong pre-function runs on (test/e2e/kong-pre-function).
for pkg in libnginx-mod-http-lua lua-cjson; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "setup: need ${missing[*]} (apt-get install them, or run as root)" >&2; exit 1; fi
  echo "setup: installing ${missing[*]} from Debian" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

if [ -f integrations/litellm/pyproject.toml ]; then
  venv="$root/.tools/venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  # The hook is installed as a package (not editable): its sources are part of the stamp.
  stamp="$venv/.installed-$({ cat integrations/litellm/requirements-test.txt integrations/litellm/pyproject.toml; find integrations/litellm/src -name '*.py' | sort | xargs cat; } | sha256sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    echo "setup: installing LiteLLM and tollgate_litellm into .tools/venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check -r integrations/litellm/requirements-test.txt ./integrations/litellm >&2
    "$venv/bin/pip" install -q --disable-pip-version-check --no-deps --force-reinstall ./integrations/litellm >&2
    touch "$stamp"
  fi
fi
