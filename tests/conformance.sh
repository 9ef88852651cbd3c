#!/usr/bin/env bash
# Runs the official MCP conformance suite (server scenarios) against `main.ts --http`.
# Fails on any unexpected failure, and on a scenario listed in conformance/expected_failures.yml
# that passes (the list must stay exact). Usage: deno task conformance
set -euo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1

log=$(mktemp)
deno run -A main.ts --http --port 0 2>"$log" &
pid=$!
stop() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
}
trap stop EXIT

url=""
for _ in $(seq 1 600); do
  url=$(grep -o 'http://[^;]*/mcp' "$log" || true)
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "server exited before it was ready:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "server not ready after 60 s" >&2
  exit 1
fi

deno run -A npm:@modelcontextprotocol/conformance@0.1.16 server \
  --url "$url" --expected-failures conformance/expected_failures.yml
