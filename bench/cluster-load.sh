#!/usr/bin/env bash
# A three-node cluster against a single node, same load generator, same machine: bench/cluster-load.sh [--rounds R] [--seconds S]
# Each round runs both (order alternating), each on fresh directories:
#   single:  ./triage serve (one process, journal, process durability)
#   cluster: three processes from docs/cluster-3-loopback.conf on this host; the load goes to a follower, so every
#            command is forwarded to the leader and answered after a majority holds it.
# Two loads each: `triage load --profile steady` (500 arrivals/s, 16 agents, after a 20,000-open warm-up: latency),
# then `--profile throughput` (100,000 opens and their claims as fast as they are answered). Prints each run's
# NextBest and Open p50/p99, the throughput, and the server CPU per call of the throughput run (all three processes
# for the cluster, from /proc/PID/stat), then the median per mode. CONF=FILE runs another cluster file (e.g. other
# idle settings); MODES="cluster" runs one mode only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
rounds=3
seconds=20
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: bench/cluster-load.sh [--rounds R] [--seconds S]" >&2; exit 2 ;;
  esac
done
out="$here/target/cluster-load"
mkdir -p "$out"
"$root/triage" --version >/dev/null 2>&1 || true
# The servers run from a copy: a rebuild of the jar under a running JVM breaks its class loading.
jar="$out/triage.jar"
cp "$root/api/target/triage.jar" "$jar"
tck=$(getconf CLK_TCK)
dirs=""
pids=""
cleanup() { for p in $pids; do kill -9 "$p" 2>/dev/null || true; done; [ -z "$dirs" ] || rm -rf $dirs; }
trap cleanup EXIT
cpu_ms() { local t=0; for p in $pids; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $((t * 1000 / tck)); }
serve() { # name, args...
  local name="$1"; shift
  java -XX:-UsePerfData -jar "$jar" serve "$@" > "$out/$name.log" 2>&1 &
  pids="$pids $!"
  for _ in $(seq 1 240); do grep -q listening "$out/$name.log" 2>/dev/null && break; sleep 0.5; done
}
: > "$out/runs.txt"
for round in $(seq 1 "$rounds"); do
  modes=$([ $((round % 2)) = 1 ] && echo "single cluster" || echo "cluster single")
  [ -z "${MODES:-}" ] || modes="$MODES"
  for mode in $modes; do
    d="$(mktemp -d)"; dirs="$d"; pids=""
    if [ "$mode" = single ]; then
      serve single --journal "$d/single" --port 7411 --metrics-port -1
      port=7411
    else
      for n in 0 1 2; do serve "node$n" --cluster "${CONF:-$root/docs/cluster-3-loopback.conf}" --node "$n" --journal "$d/node$n"; done
      port=""
      for _ in $(seq 1 200); do
        for p in 7411 7412 7413; do
          if java -jar "$jar" info --server "127.0.0.1:$p" 2>/dev/null | grep -q "FOLLOWER, leader node"; then port=$p; break 2; fi
        done
        sleep 0.2
      done
      [ -n "$port" ] || { echo "no follower with a leader" >&2; exit 1; }
    fi
    c0=$(cpu_ms)
    "$root/triage" load --profile steady --seconds "$seconds" --seed 11 --warmup 20000 --quiet --triage "127.0.0.1:$port" --out "$out/steady" > /dev/null
    c1=$(cpu_ms)
    "$root/triage" load --profile throughput --conversations 100000 --seed 11 --quiet --triage "127.0.0.1:$port" --out "$out/throughput" > /dev/null
    c2=$(cpu_ms)
    python3 - "$out/steady/report.json" "$out/throughput/report.json" "$round" "$mode" "$((c1 - c0))" "$((c2 - c1))" <<'PY' | tee -a "$out/runs.txt"
import json, sys
steady = json.load(open(sys.argv[1]))["runs"][0]
thr = json.load(open(sys.argv[2]))["runs"][0]
calls = lambda run: sum(v["count"] for v in run["rpc"].values())
nb, op = steady["rpc"]["NextBest"], steady["rpc"]["Open"]
print(sys.argv[3], sys.argv[4], "%.3f %.3f %.3f %.3f" % (nb["p50"], nb["p99"], op["p50"], op["p99"]),
      "%.0f %.0f" % (thr["opensPerSecond"], thr["claimsPerSecond"]),
      "%.0f" % (int(sys.argv[6]) * 1000 / max(1, calls(thr))))
PY
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; done
    pids=""; rm -rf "$d"; dirs=""
  done
done
echo
echo "round mode | steady: NextBest p50 p99, Open p50 p99 (ms) | throughput: opens/s claims/s, server CPU us per call"
for mode in ${MODES:-single cluster}; do
  awk -v m="$mode" '$2 == m' "$out/runs.txt" | sort -k4 -n | awk -v m="$mode" '
    { a[NR] = $0 }
    END { split(a[int((NR + 1) / 2)], f, " "); printf "%-7s median of %d by NextBest p99: NextBest %s / %s ms, Open %s / %s ms, %s opens/s, %s claims/s, server CPU %s us per call\n", m, NR, f[3], f[4], f[5], f[6], f[7], f[8], f[9] }'
done
