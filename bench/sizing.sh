#!/usr/bin/env bash
# Measures what sizes a Tollgate pod (the Helm chart's memory formula and docs/operations.md#sizing
# come from this): for each API key count, writes a key file, starts the built `tollgate serve`,
# reads RSS from /proc when idle, drives 20 s of API-key load with wrk (CPU seconds Tollgate spent
# per 1,000 decisions = cores per 1,000 decisions/s),
# reads RSS and its peak (VmHWM) again, then rewrites the key file and reads the peak of the reload
# (old and new keys are held at once while it runs). Usage: bench/sizing.sh [counts...] (default 0 10000 100000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -f dist/src/main.js ] || npm run build --silent
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
mib() { awk -v f="$2" '$1 == f":" { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # utime + stime

printf '%8s %10s %10s %10s %12s %10s %16s\n' keys idle_mib load_mib peak_mib reload_peak file_mib cores_per_1k_rps
counts=("$@"); [ $# -gt 0 ] || counts=(0 10000 100000)
for count in "${counts[@]}"; do
  # N records in the layout `tollgate keys create` writes (one JSON object a line); the first key's
  # secret drives the load.
  node -e '
    const { createHash, randomBytes } = require("node:crypto");
    const n = Number(process.argv[1]); const lines = ["keys:"]; let first = "";
    for (let i = 0; i < n; i++) {
      const id = i.toString(36).padStart(12, "0"); const secret = `tg_${id}_${randomBytes(32).toString("base64url")}`;
      if (i === 0) first = secret;
      lines.push(`  - ${JSON.stringify({ id, hash: `sha256:${createHash("sha256").update(secret).digest("hex")}`,
        subject: `team-${i % 500}/svc-${i}`, models: ["gpt-4o*"], scopes: [], created_at: "2026-01-01T00:00:00.000Z",
        expires_at: null, disabled: false })}`);
    }
    require("node:fs").writeFileSync(process.argv[2], n ? lines.join("\n") + "\n" : "keys: []\n");
    process.stdout.write(first);' "$count" "$tmp/keys.yaml" > "$tmp/secret"
  TOLLGATE_KEYS_FILE="$tmp/keys.yaml" TOLLGATE_HOST=127.0.0.1 TOLLGATE_HTTP_PORT=18181 TOLLGATE_GRPC_PORT=19191 \
    TOLLGATE_ADMIN_PORT=18282 TOLLGATE_LOG_LEVEL=warn \
    node bin/tollgate.js serve > /dev/null 2> "$tmp/serve.log" &  # stdout: the audit records
  pid=$!
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18282/readyz >/dev/null && break; sleep 0.5; done
  curl -sf http://127.0.0.1:18282/readyz >/dev/null || { cat "$tmp/serve.log"; exit 1; }
  sleep 3
  idle=$(mib "$pid" VmRSS)
  secret=$(cat "$tmp/secret")
  cat > "$tmp/load.lua" <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.body = '{"method":"POST","path":"/v1/chat/completions","headers":{"authorization":"Bearer ${secret:-none}"},"body":{"model":"gpt-4o"}}'
LUA
  ticks=$(cpu_ticks "$pid")
  wrk -t1 -c16 -d20s -s "$tmp/load.lua" http://127.0.0.1:18181/v1/authorize > "$tmp/wrk.txt"
  ticks=$(( $(cpu_ticks "$pid") - ticks ))
  requests=$(awk '/requests in/ { print $1 }' "$tmp/wrk.txt")
  cores=$(awk -v t="$ticks" -v r="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz / r * 1000 }')
  load=$(mib "$pid" VmRSS) peak=$(mib "$pid" VmHWM)
  cp "$tmp/keys.yaml" "$tmp/keys.new" && mv "$tmp/keys.new" "$tmp/keys.yaml" && sleep 5
  printf '%8s %10s %10s %10s %12s %10s %16s\n' "$count" "$idle" "$load" "$peak" "$(mib "$pid" VmHWM)" \
    "$(du -m "$tmp/keys.yaml" | cut -f1)" "$cores"
  grep -E 'Requests/sec|Non-2xx' "$tmp/wrk.txt" >&2 || true
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
