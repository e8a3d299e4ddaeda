#!/usr/bin/env bash
# The peers of the side-by-side benchmark, on loopback, from Debian packages (installed with apt-get if missing):
#   bench/peers.sh start   Redis on 127.0.0.1:6390 and PostgreSQL on 127.0.0.1:55432, data under bench/target/peers
#   bench/peers.sh stop
# Durability, chosen to match Triage's default (a command is acknowledged once in the page cache; survives a killed
# process, not a power loss): Redis with the append-only file, appendfsync no; PostgreSQL with synchronous_commit=off
# (fsync stays on; commits are acknowledged before their WAL flush).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$here/target/peers"
redis_port=6390
pg_port=55432

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} with apt-get..." >&2
    as_root apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${missing[@]}" >&2
  fi
  # The Debian packages start their own services on the default ports; ours run beside them.
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

# PostgreSQL refuses to run as root: as root, run it as the postgres user the package created.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start() {
  install_missing
  mkdir -p "$data"
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    mkdir -p "$data/redis"
    redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --dir "$data/redis" --save '' \
      --appendonly yes --appendfsync no --pidfile "$data/redis/redis.pid" --logfile "$data/redis/redis.log"
  fi
  local bin; bin="$(pg_bin)"
  if [ ! -f "$data/pg/PG_VERSION" ]; then
    mkdir -p "$data/pg"
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$data/pg" && chmod o+x "$data" "$here/target" "$here" 2>/dev/null || true
    as_pg "$bin/initdb" -D "$data/pg" -U postgres --auth=trust >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data/pg" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$data/pg" -w -l "$data/pg/server.log" start -o \
      "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 -c synchronous_commit=off -c max_connections=200 -c shared_buffers=512MB" >/dev/null
  fi
  redis-cli -p "$redis_port" ping >/dev/null
  echo "redis 127.0.0.1:$redis_port, postgresql 127.0.0.1:$pg_port (data in $data)"
}

stop() {
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  if [ -f "$data/pg/PG_VERSION" ]; then as_pg "$(pg_bin)/pg_ctl" -D "$data/pg" -m fast stop >/dev/null 2>&1 || true; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: bench/peers.sh start|stop" >&2; exit 2 ;;
esac
