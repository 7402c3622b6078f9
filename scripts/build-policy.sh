#!/usr/bin/env bash
# Compiles policies/*.rego (tests and examples excluded) with the pinned OPA into the embedded Wasm
# bundle, with both entrypoints: the request decision and the AuthZEN decision (docs/authzen.md).
# The revision is a hash of the sources, so the same sources always build the same bundle.
#   scripts/build-policy.sh [out.tar.gz]     default: policies/build/bundle.tar.gz
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/policies/build/bundle.tar.gz}
opa=$("$root/scripts/opa.sh")
cd "$root/policies"
revision=$(find . -maxdepth 1 \( -name '*.rego' ! -name '*_test.rego' -o -name 'data.json' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
mkdir -p "$(dirname "$out")"
"$opa" build -t wasm -e tollgate/authz/decision -e tollgate/authzen/decision --revision "$revision" --ignore '*_test.rego' --ignore build --ignore examples -o "$out" .
echo "built $out (revision $revision)" >&2
