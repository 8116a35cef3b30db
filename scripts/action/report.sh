#!/usr/bin/env bash
# The Decoy report action (report/action.yml), the "post" step of
# action.yml: run decoy report against the Decoy it started, then stop it.
# Its exit status is decoy report's: 1 when the contract was broken
# (with --fail-on-violations) or coverage is below --min-coverage.
#
# Environment:
#   DECOY_BIN                 the decoy binary (default: decoy on PATH)
#   DECOY_URL                 the running Decoy (set by start.sh)
#   DECOY_PID, DECOY_LOG      its process and log (set by start.sh)
#   DECOY_FAIL_ON_VIOLATIONS  true (default) or false
#   DECOY_MIN_COVERAGE        percent, 0 to 100 (default 0: no minimum)
#   DECOY_JUNIT               write a JUnit XML report to this file, when not empty
#   DECOY_STOP                true (default): stop Decoy afterwards
set -euo pipefail

fail() { echo "::error title=decoy report::$*" >&2; exit 1; }

bin="${DECOY_BIN:-decoy}"
[ -n "${DECOY_URL:-}" ] || fail "DECOY_URL is not set: run the decoy-mock/decoy action (which starts Decoy) before this one"
args=(report --url "$DECOY_URL")
case "${DECOY_FAIL_ON_VIOLATIONS:-true}" in
  true) args+=(--fail-on-violations) ;;
  false) ;;
  *) fail "fail-on-violations '$DECOY_FAIL_ON_VIOLATIONS' must be true or false" ;;
esac
if [ -n "${DECOY_MIN_COVERAGE:-}" ]; then args+=(--min-coverage "$DECOY_MIN_COVERAGE"); fi
if [ -n "${DECOY_JUNIT:-}" ]; then args+=(--junit "$DECOY_JUNIT"); fi

status=0
"$bin" "${args[@]}" || status=$?

case "${DECOY_STOP:-true}" in
  true)
    if [ -n "${DECOY_PID:-}" ] && kill -0 "$DECOY_PID" 2>/dev/null; then
      kill -TERM "$DECOY_PID"
      # decoy drains its requests and exits; give it 15 seconds.
      for _ in $(seq 150); do
        kill -0 "$DECOY_PID" 2>/dev/null || break
        sleep 0.1
      done
      if kill -0 "$DECOY_PID" 2>/dev/null; then
        echo "::warning title=decoy report::decoy (pid $DECOY_PID) did not stop within 15s; killing it" >&2
        kill -KILL "$DECOY_PID" 2>/dev/null || true
      fi
    fi
    ;;
  false) ;;
  *) fail "stop '$DECOY_STOP' must be true or false" ;;
esac
exit "$status"
