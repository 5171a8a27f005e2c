#!/usr/bin/env bash
# Make sure the machine's PostgreSQL and Redis on 127.0.0.1 are up (for the test suite).
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "Starting PostgreSQL…"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }

# The read-replica tests take a base backup of this server and stream from it: allow replication
# connections from 127.0.0.1 for postgres (the "all" database of pg_hba.conf does not cover them).
if ! psql "host=127.0.0.1 port=5432 user=postgres dbname=postgres replication=true" -Atc "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
  hba=$(psql -h 127.0.0.1 -p 5432 -U postgres -Atc "SHOW hba_file")
  sudo=""
  [[ $(id -u) -ne 0 && ! -w "$hba" ]] && sudo="sudo"
  echo "Allowing replication connections from 127.0.0.1 in $hba"
  $sudo sed -i '1i host replication postgres 127.0.0.1/32 trust' "$hba"
  psql -h 127.0.0.1 -p 5432 -U postgres -Atc "SELECT pg_reload_conf()" >/dev/null
  sleep 1
fi
[[ $(psql -h 127.0.0.1 -p 5432 -U postgres -Atc "SHOW wal_level") != minimal ]] \
  || { echo "PostgreSQL runs with wal_level=minimal: set wal_level=replica and restart it (read-replica tests)" >&2; exit 1; }

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting Redis…"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
