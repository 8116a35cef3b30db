#!/usr/bin/env bash
# Step 2 of the Decoy GitHub Action (action.yml): start decoy serve in the
# background, wait until GET /__decoy/health answers, and export its URL
# (the step output "url", and DECOY_URL for later steps). The report
# action (report/action.yml) stops it.
#
# Environment:
#   DECOY_BIN        the decoy binary (default: decoy on PATH)
#   DECOY_SPEC       --spec, when not empty
#   DECOY_DIR        --dir, when not empty
#   DECOY_SCENARIO   --scenario, when not empty
#   DECOY_PORT       --port (default 4010; 0 picks a free one)
#   DECOY_ARGS       more flags for decoy serve, split on spaces
#   DECOY_WAIT       seconds to wait for health (default 30)
#   RUNNER_TEMP, GITHUB_ENV, GITHUB_OUTPUT   as GitHub Actions sets them
set -euo pipefail

fail() { echo "::error title=decoy start::$*" >&2; exit 1; }

bin="${DECOY_BIN:-decoy}"
port="${DECOY_PORT:-4010}"
case "$port" in
  '' | *[!0-9]*) fail "port '$port' is not a number" ;;
esac
args=(serve --host 127.0.0.1 --port "$port")
if [ -n "${DECOY_SPEC:-}" ]; then args+=(--spec "$DECOY_SPEC"); fi
if [ -n "${DECOY_DIR:-}" ]; then args+=(--dir "$DECOY_DIR"); fi
if [ -n "${DECOY_SCENARIO:-}" ]; then args+=(--scenario "$DECOY_SCENARIO"); fi
if [ -n "${DECOY_ARGS:-}" ]; then
  read -r -a extra <<<"$DECOY_ARGS"
  args+=("${extra[@]}")
fi

log="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/decoy-serve.log"
echo "decoy ${args[*]}"
# The log exists before the background job opens it, so the first read
# below cannot race the job's own redirection.
: >"$log"
nohup "$bin" "${args[@]}" >"$log" 2>&1 </dev/null &
pid=$!
if [ -n "${GITHUB_ENV:-}" ]; then
  { echo "DECOY_PID=$pid"; echo "DECOY_LOG=$log"; } >>"$GITHUB_ENV"
fi

# The banner's first line ends "on http://127.0.0.1:PORT": the URL, also
# for --port 0.
wait="${DECOY_WAIT:-30}"
deadline=$((SECONDS + wait))
url=""
while [ "$SECONDS" -lt "$deadline" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$log" >&2
    fail "decoy serve exited before it answered (its log is above)"
  fi
  if [ -z "$url" ]; then
    url="$(sed -n 's/^decoy: serving .* on \(http:\/\/[^ ]*\)$/\1/p' "$log" | head -n 1)"
  fi
  if [ -n "$url" ] && curl -fsS -o /dev/null --max-time 2 "$url/__decoy/health"; then
    echo "decoy is up at $url (pid $pid, log $log)"
    if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "url=$url" >>"$GITHUB_OUTPUT"; fi
    if [ -n "${GITHUB_ENV:-}" ]; then echo "DECOY_URL=$url" >>"$GITHUB_ENV"; fi
    exit 0
  fi
  sleep 0.2
done
cat "$log" >&2
kill "$pid" 2>/dev/null || true
fail "decoy did not answer GET ${url:-its URL}/__decoy/health within ${wait}s (its log is above)"
