#!/usr/bin/env bash
# What a request costs the server, end to end over the network, side by side in one run:
#   bench/request-cost.sh [--conversations N] [--rounds R]
# Starts Redis (bench/peers.sh) and two Triage servers on fresh journals, one per pipeline layout (ONE_STAGE,
# THREE_STAGES), then, round after round, drives each in turn with the same seeded throughput workload (open N
# conversations as fast as possible, then claim them all: NextBest + Resolve; "session" is the one-stage server with
# the agents' calls multiplexed on one Session stream; "echo" is the bare gRPC floor, bench's EchoServer: the same
# proto and netty settings, no engine) and reads each server's CPU time and
# context switches from /proc around its turn. Prints every round and the median of rounds 2..R (round 1 warms the
# JIT up) per conversation: server CPU microseconds, voluntary + involuntary switches, opens/s and claims/s, and the
# load generator's own CPU (the client: its whole process, JVM start included, about 15 us of it per conversation).
# BASELINE=REV also builds that git revision in a temporary worktree and runs its one-stage server, driven by its own
# load generator (its client), in the same rounds (targets "base" unary and "base-session"), so a change is measured
# against its parent in one run. TARGETS picks
# the targets (default: one session three echo redis, plus base base-session with BASELINE).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
n=30000
rounds=4
while [ $# -gt 0 ]; do
  case "$1" in
    --conversations) n="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "usage: bench/request-cost.sh [--conversations N] [--rounds R]" >&2; exit 2 ;;
  esac
done
out="$here/target/request-cost"
bench="$here/target/benchmarks.jar"
mkdir -p "$out"
"$here/peers.sh" start >&2
"$root/triage" --version >/dev/null 2>&1 || true   # builds the server jar if needed
"$root/triage" load --help >/dev/null 2>&1 || true  # builds the load generator if needed
declare -A port=([one]=7601 [three]=7602) pid=() journal=()
for layout in one three; do
  journal[$layout]="$(mktemp -d)"
  pipeline=$([ "$layout" = one ] && echo ONE_STAGE || echo THREE_STAGES)
  "$root/triage" serve --journal "${journal[$layout]}" --port "${port[$layout]}" --metrics-port -1 --pipeline "$pipeline" \
    > "$out/server-$layout.log" 2>&1 &
done
# The floor: the same proto over the same netty settings, no engine.
port[echo]=7603
java -cp "$bench" dev.triage.bench.EchoServer "${port[echo]}" > "$out/server-echo.log" 2>&1 &
pid[echo]=$!
layouts="one three"
if [ -n "${BASELINE:-}" ]; then
  base="$(mktemp -d)"
  git -C "$root" worktree add --detach "$base/tree" "$BASELINE" >&2
  (cd "$base/tree" && mvn -B -q -DskipTests -pl api,bench -am package 2>&1 | sed 's/\x1b\[[0-9;]*m//g') >&2
  port[base]=7604
  journal[base]="$(mktemp -d)"
  java -jar "$base/tree/api/target/triage.jar" serve --journal "${journal[base]}" --port "${port[base]}" --metrics-port -1 \
    > "$out/server-base.log" 2>&1 &
  layouts="one three base"
fi
cleanup() {
  kill "${pid[echo]}" 2>/dev/null || true
  for l in $layouts; do pkill -f "journal ${journal[$l]}" 2>/dev/null || true; rm -rf "${journal[$l]}"; done
  if [ -n "${base:-}" ]; then git -C "$root" worktree remove --force "$base/tree" >/dev/null 2>&1 || true; rm -rf "$base"; fi
}
trap cleanup EXIT
for layout in $layouts echo; do
  for _ in $(seq 1 240); do grep -q listening "$out/server-$layout.log" 2>/dev/null && break; sleep 0.5; done
  [ "$layout" = echo ] && continue
  pid[$layout]=$(pgrep -f "journal ${journal[$layout]}" | head -n 1)
done
# From Redis itself: its pid file goes with bench/target when that is cleaned while Redis runs on.
pid[redis]=$(redis-cli -p 6390 info server | awk -F: '/^process_id/ { print $2 }' | tr -d '\r')

snap() { # pid -> "cpu-ticks voluntary involuntary"
  local v=0 i=0
  for t in /proc/$1/task/*/status; do
    v=$((v + $(awk '/^voluntary_ctxt_switches/ {print $2}' "$t" 2>/dev/null || echo 0)))
    i=$((i + $(awk '/^nonvoluntary_ctxt_switches/ {print $2}' "$t" 2>/dev/null || echo 0)))
  done
  echo "$(awk '{print $14 + $15}' /proc/$1/stat) $v $i"
}
tck=$(getconf CLK_TCK)
: > "$out/rounds.txt"
targets="${TARGETS:-one session three echo redis${BASELINE:+ base base-session}}"
for round in $(seq 1 "$rounds"); do
  for target in $targets; do
    server=$target
    case "$target" in
      redis) args=(--target redis) ;;
      session) server=one; args=(--target triage-session --triage "localhost:${port[one]}") ;;
      base-session) server=base; args=(--target triage-session --triage "localhost:${port[base]}") ;;
      echo) args=(--target triage --triage "localhost:${port[echo]}") ;;
      *) args=(--target triage --triage "localhost:${port[$target]}") ;;
    esac
    load=("$root/triage" load)
    if [ "$server" = base ]; then
      load=(java $(sed -n 's:.*<triage.jvm.flags>\(.*\)</triage.jvm.flags>.*:\1:p' "$base/tree/pom.xml") \
        -cp "$base/tree/bench/target/benchmarks.jar" dev.triage.bench.load.LoadCommand)
    fi
    read -r c0 v0 i0 <<<"$(snap "${pid[$server]}")"
    line=$(/usr/bin/time -f "%U %S" -o "$out/client-time" "${load[@]}" --profile throughput --conversations "$n" --seed 7 --quiet --out "$out/report-$target" "${args[@]}" \
      | grep -E '^(triage|triage-session|redis) ')
    read -r c1 v1 i1 <<<"$(snap "${pid[$server]}")"
    echo "$round $target $(echo "$line" | awk '{gsub(",", "", $3); gsub(",", "", $4); print $3, $4}') \
$(awk -v c=$((c1 - c0)) -v v=$((v1 - v0)) -v i=$((i1 - i0)) -v n="$n" -v t="$tck" \
      'BEGIN { printf "%.1f %.2f %.2f", c * 1e6 / t / n, v / n, i / n }') \
$(awk -v n="$n" '{ printf "%.1f", ($1 + $2) * 1e6 / n }' "$out/client-time")" | tee -a "$out/rounds.txt"
  done
done
echo
echo "median of rounds 2..$rounds, per conversation (open + NextBest + Resolve), $n conversations a round:"
printf '%-12s %10s %10s %16s %22s %16s\n' target opens/s claims/s "server CPU us" "switches (vol+invol)" "client CPU us"
for target in $targets; do
  awk -v t="$target" '$1 > 1 && $2 == t' "$out/rounds.txt" | sort -k5 -n | awk -v t="$target" '
    { o[NR] = $3; c[NR] = $4; cpu[NR] = $5; v[NR] = $6 + $7; cl[NR] = $8 }
    END { m = int((NR + 1) / 2); printf "%-12s %10s %10s %16s %22s %16s\n", t, o[m], c[m], cpu[m], v[m], cl[m] }'
done
