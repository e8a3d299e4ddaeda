#!/usr/bin/env bash
# One command for the side-by-side benchmark on this machine:
#   bench/compare.sh [extra ./triage load options]
# Builds what is missing, starts Redis and PostgreSQL on loopback (bench/peers.sh, apt-get if missing), starts a Triage
# server on a fresh journal (durability process, like the peers' settings), runs the same seeded workload against all
# four (throughput: open N as fast as possible, then claim them all; then steady: Poisson arrivals with agents working)
# and prints the table with the ratios Triage/peer. Report: bench/target/compare/report.html and report.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
port=7499
journal="$(mktemp -d)"
out="$here/target/compare"

"$here/peers.sh" start
"$root/triage" --version >/dev/null 2>&1 || true   # builds the server jar if needed
"$root/triage" serve --journal "$journal" --port "$port" --metrics-port -1 --wait-strategy "${TRIAGE_WAIT_STRATEGY:-PROGRESS_BLOCKING}" \
  > "$here/target/compare-server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$journal"' EXIT
for _ in $(seq 1 240); do
  grep -q "listening" "$here/target/compare-server.log" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$here/target/compare-server.log" >&2; exit 1; }
  sleep 0.5
done
"$root/triage" load --profile compare --target triage,redis,postgres,postgres-lateral --triage "localhost:$port" \
  --server-pid "$server" --out "$out" "$@"
