#!/usr/bin/env bash
# Run the database tests through PgBouncer in transaction mode, as a deployment behind a pooler runs:
# every transaction may land on a different server connection, so nothing may rely on session state.
#
#   scripts/pgbouncer_suite.sh                  # the non-browser tests, two workers
#   scripts/pgbouncer_suite.sh tests/health     # any pytest arguments instead
#
# Starts a throwaway PgBouncer on a free local port in front of the PostgreSQL on 127.0.0.1:5432,
# creates the test databases through it (CREATE DATABASE is one autocommit statement, which a
# transaction-mode pooler passes through), runs pytest and stops PgBouncer again.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PGBOUNCER=${PGBOUNCER:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}
[[ -x "$PGBOUNCER" ]] || { echo "pgbouncer is not installed (scripts/setup.sh --dev installs it)" >&2; exit 1; }

DIR=$(mktemp -d)
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PGBOUNCER_USER=""
if [[ $(id -u) -eq 0 ]]; then  # PgBouncer refuses to run as root: it drops to nobody, as the tests' servers do
  PGBOUNCER_USER=$(id -nu 65534)
  chown "$PGBOUNCER_USER" "$DIR"
  chmod 755 "$DIR"
fi

cat >"$DIR/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
pool_mode = transaction
auth_type = trust
auth_file = $DIR/users.txt
default_pool_size = ${POOLER_POOL_SIZE:-10}
max_client_conn = 500
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
${PGBOUNCER_USER:+user = $PGBOUNCER_USER}
EOF
echo '"postgres" ""' >"$DIR/users.txt"

"$PGBOUNCER" -d "$DIR/pgbouncer.ini"
stop() {
  [[ -f "$DIR/pgbouncer.pid" ]] && kill "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null || true
  for _ in $(seq 1 50); do [[ -f "$DIR/pgbouncer.pid" ]] || break; sleep 0.1; done
  rm -rf "$DIR"
}
trap stop EXIT
for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p "$PORT" -U postgres && break; sleep 0.1; done
pg_isready -q -h 127.0.0.1 -p "$PORT" -U postgres || { cat "$DIR/pgbouncer.log" >&2; exit 1; }

if [[ $# -eq 0 ]]; then
  # The embedded default starts a PostgreSQL of its own and the load benchmark its own servers:
  # neither reads the test server through the pooler.
  set -- -n 2 -m "not browser and not isolated" tests \
    --ignore=tests/smoke/test_embedded_default.py --ignore=tests/smoke/test_bench_load.py
fi
echo "Running the tests through PgBouncer (transaction mode) on 127.0.0.1:$PORT"
DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/keyline" DATABASE_POOLER=transaction \
  TEST_DATABASE_NAME="${POOLER_TEST_DATABASE_NAME:-test_keyline_pooler}" \
  "$PY" -m pytest --create-db -p no:cacheprovider "$@"
