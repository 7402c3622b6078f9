#!/usr/bin/env bash
# The whole test suite: installs what it needs, then runs every suite against real components
# (OPA-built Wasm bundle, running servers, Caddy, nginx, Redis, LiteLLM, Go gRPC client) and
# prints one closing line: "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out="$root/.tools/test-results"
rm -rf "$out" && mkdir -p "$out"
passed=0
failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); echo "== $3: $1 passed, $2 failed"; }

bash scripts/setup-test-deps.sh || { echo "setup failed"; exit 1; }
[ -d node_modules ] || npm ci
npm run build --silent || { echo "TypeScript build failed"; exit 1; }
export TOLLGATE_SKIP_BUILD=1   # the Go and Python suites spawn dist/, just built
opa=$(scripts/opa.sh)

if npx tsc -p tsconfig.json --noEmit && npx eslint src test bench; then count 1 0 "typecheck (tests included) and lint"
else count 0 1 "typecheck (tests included) and lint"; fi

# The committed default bundle must be exactly what the current policy sources build.
bash scripts/build-policy.sh "$out/bundle.tar.gz" 2>/dev/null
if cmp -s "$out/bundle.tar.gz" policies/build/bundle.tar.gz; then count 1 0 "embedded bundle matches sources"
else count 0 1 "embedded bundle matches sources (run scripts/build-policy.sh and commit)"; fi

opa_test() { # name, paths...
  local name=$1; shift
  "$opa" test "$@" --format json > "$out/opa-$name.json" 2> "$out/opa-$name.err"
  read -r p f < <(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")||"[]");const f=r.filter(t=>t.fail||t.error).length;console.log(r.length-f,f)' "$out/opa-$name.json" 2>/dev/null || echo "0 1")
  count "$p" "$f" "opa test $*"
}
opa_test policies policies
opa_test token-budget-example policies/authz.rego docs/examples/token-budget

node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile="$out/jest.json" 2>&1 | grep -vE '^\s*$' | tail -n 60
read -r p f < <(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(r.numPassedTests,r.numFailedTests+r.numRuntimeErrorTestSuites)' "$out/jest.json" 2>/dev/null || echo "0 1")
count "$p" "$f" "jest"

for mod in test/go/*/; do
  [ -f "$mod/go.mod" ] || continue
  (cd "$mod" && go test -count=1 -json ./... > "$out/go-$(basename "$mod").json" 2>&1)
  p=$(grep -c '"Action":"pass","Package":"[^"]*","Test"' "$out/go-$(basename "$mod").json")
  f=$(grep -c '"Action":"fail"' "$out/go-$(basename "$mod").json")
  count "$p" "$f" "go test $mod"
done

if [ -d integrations/litellm/tests ]; then
  .tools/venv/bin/python -m pytest integrations/litellm/tests -q -p no:cacheprovider --junitxml="$out/pytest.xml" 2>&1 | tail -n 15
  read -r p f < <(.tools/venv/bin/python -c 'import sys,xml.etree.ElementTree as E
r=E.parse(sys.argv[1]).getroot(); s=r if r.tag=="testsuite" else r.find("testsuite")
t,fa,er,sk=(int(s.get(k,0)) for k in ("tests","failures","errors","skipped")); print(t-fa-er-sk, fa+er)' "$out/pytest.xml" 2>/dev/null || echo "0 1")
  count "$p" "$f" "pytest integrations/litellm"
fi

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
