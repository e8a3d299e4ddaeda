#!/usr/bin/env bash
# Do open consoles slow the engine? bench/console-load.sh [--consoles N] [--rounds R] [--seconds S]
# Three modes a round, order rotating: no consoles; N consoles polling Triage; and a control, N pollers fetching one
# real view and then polling a copy served by their own JVM (the same client and HTTP work on this machine, none of
# it in the Triage process): on a small host the control tells what the machine costs from what the server does.
# Round after round, with and without N consoles (order alternating), a fresh server on a fresh journal is driven by
# `triage load --profile spike --warmup 20000` (an unrecorded pass warms the JIT, then steady arrivals plus a
# 100,000-conversation incident burst); the consoles are
# bench's ConsolePollers (each asks /api/view once a second, as the page does). Prints each run's NextBest p50/p99
# (whole run and in the spike), the server's CPU, and the consoles' view latency; then the median per mode.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
consoles=50
rounds=3
seconds=30
# NICE=1 runs the pollers at the lowest CPU priority: on a small host they stand in for browsers on other machines,
# so the server and the load generator come first (the pollers' own latency then says little).
pollers_nice=$([ "${NICE:-0}" = 1 ] && echo "nice -n 19" || echo "")
while [ $# -gt 0 ]; do
  case "$1" in
    --consoles) consoles="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: bench/console-load.sh [--consoles N] [--rounds R] [--seconds S]" >&2; exit 2 ;;
  esac
done
out="$here/target/console-load"
bench="$here/target/benchmarks.jar"
mkdir -p "$out"
"$root/triage" --version >/dev/null 2>&1 || true
"$root/triage" load --help >/dev/null 2>&1 || true
tck=$(getconf CLK_TCK)
journal=""
cleanup() { if [ -n "$journal" ]; then pkill -f "journal $journal" 2>/dev/null || true; rm -rf "$journal"; fi; }
trap cleanup EXIT
: > "$out/runs.txt"
for round in $(seq 1 "$rounds"); do
  case $((round % 3)) in
    1) modes="0 $consoles control" ;;
    2) modes="$consoles control 0" ;;
    *) modes="control 0 $consoles" ;;
  esac
  for mode in $modes; do
    n=$mode
    journal="$(mktemp -d)"
    "$root/triage" serve --journal "$journal" --port 7470 --metrics-port 9470 > "$out/server.log" 2>&1 &
    for _ in $(seq 1 240); do grep -q listening "$out/server.log" 2>/dev/null && break; sleep 0.5; done
    pid=$(pgrep -f "journal $journal" | head -n 1)
    pollers=""
    if [ "$mode" = control ]; then
      $pollers_nice java -cp "$bench" dev.triage.bench.ConsolePollers 127.0.0.1:9470 "$consoles" "$((seconds + 3))" --control > "$out/pollers.txt" 2>&1 &
      pollers=$!
    elif [ "$n" -gt 0 ]; then
      $pollers_nice java -cp "$bench" dev.triage.bench.ConsolePollers 127.0.0.1:9470 "$n" "$((seconds + 3))" > "$out/pollers.txt" 2>&1 &
      pollers=$!
    fi
    c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    "$root/triage" load --profile spike --seconds "$seconds" --seed 11 --warmup 20000 --quiet --triage 127.0.0.1:7470 --out "$out/report" > /dev/null
    c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    view="-"
    if [ -n "$pollers" ]; then wait "$pollers" || true; view=$(sed -n 's/.*view latency p50 \([0-9.]*\) ms p99 \([0-9.]*\) ms/\1\/\2/p' "$out/pollers.txt"); fi
    python3 - "$out/report/report.json" "$round" "$n" "$(( (c1 - c0) * 1000 / tck ))" "$view" <<'PY' | tee -a "$out/runs.txt"
import json, sys
run = json.load(open(sys.argv[1]))
run = run[0] if isinstance(run, list) else run.get("runs", [run])[0]
nb = run["rpc"]["NextBest"]
print(sys.argv[2], sys.argv[3], "%.3f" % nb["p50"], "%.3f" % nb["p99"], "%.3f" % run["nextBestP99Spike"], sys.argv[4], sys.argv[5])
PY
    kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    rm -rf "$journal"; journal=""
  done
done
echo
echo "round mode | NextBest p50 ms, p99 ms, p99 in the spike ms | server CPU ms | view p50/p99 ms  (median per mode below)"
for n in 0 "$consoles" control; do
  awk -v n="$n" '$2 == n' "$out/runs.txt" | sort -k4 -n | awk -v n="$n" '
    { p50[NR] = $3; p99[NR] = $4; sp[NR] = $5; cpu[NR] = $6; v[NR] = $7 }
    END { m = int((NR + 1) / 2); printf "%-8s: NextBest p50 %s ms, p99 %s ms (median of %d runs by p99), spike p99 %s ms, server CPU %s ms, view %s ms\n", n, p50[m], p99[m], NR, sp[m], cpu[m], v[m] }'
done
