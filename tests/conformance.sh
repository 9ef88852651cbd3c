#!/usr/bin/env bash
# Runs the official MCP conformance suite (server scenarios) against `main.ts --http`.
# Fails on any unexpected failure, and on a scenario listed in conformance/expected_failures.yml
# that passes (the list must stay exact). Usage: deno task conformance
# The suite is pinned in conformance/deno.json (and its lock), not in the server's import map, so
# running the server never downloads it.
set -euo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1
deno=${DENO:-deno}

log=$(mktemp)
# Job control puts the server in a process group of its own: when `deno` is npm's Node wrapper,
# the real server is the wrapper's child, and signalling the group reaches it too.
set -m
# The suite's clients send no Authorization header (version 0.1.16 has no option for one), so this
# run opts out of the token, by the setting that names the risk, on a port only it uses.
MCP_BG_HTTP_NO_TOKEN=i-understand "$deno" run -A main.ts --http --port 0 2>"$log" &
group=$!
set +m
group_alive() { kill -0 -- "-$group" 2>/dev/null; }
stop() {
  kill -TERM -- "-$group" 2>/dev/null || true
  for _ in $(seq 1 100); do group_alive || break; sleep 0.1; done
  if group_alive; then
    echo "server still running 10 s after SIGTERM; killing its process group" >&2
    kill -KILL -- "-$group" 2>/dev/null || true
  fi
  wait "$group" 2>/dev/null || true
  rm -f "$log"
}
trap stop EXIT

url=""
for _ in $(seq 1 600); do
  url=$(grep -o 'http://[^; ]*/mcp' "$log" | head -n1 || true)
  [ -n "$url" ] && break
  if ! group_alive; then
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

"$deno" run -A --frozen --config conformance/deno.json npm:@modelcontextprotocol/conformance@0.1.16 server \
  --url "$url" --expected-failures conformance/expected_failures.yml
