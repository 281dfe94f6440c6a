#!/usr/bin/env bash
# Start PgBouncer in transaction mode on 127.0.0.1:6432 in front of the local Postgres,
# the way Neon's pooled endpoint behaves, so the suite can prove the pooled-host settings
# (NullPool, no server-side prepared-statement cache, unique statement names) hold up.
#
# Idempotent: if something already answers on the port, it does nothing. Prints nothing
# on success; on failure prints one line (and PgBouncer's log) to stderr and exits 1.
#
#   PGBOUNCER_PORT   listen port            (default 6432)
#   PG_HOST/PG_PORT  the Postgres behind it (default 127.0.0.1:5432)
set -euo pipefail

PORT="${PGBOUNCER_PORT:-6432}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
RUN_AS="${PGBOUNCER_USER:-postgres}"

accepting() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if accepting "$PORT"; then
    exit 0
fi

if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    if ! $SUDO apt-get install -y -qq pgbouncer >/dev/null 2>&1; then
        $SUDO apt-get update -qq >/dev/null
        $SUDO apt-get install -y -qq pgbouncer >/dev/null
    fi
fi
PGBOUNCER="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"

DIR="$(mktemp -d "${TMPDIR:-/tmp}/fieldedge-pgbouncer.XXXXXX")"
# Trust auth for the local test user only; the userlist still has to name it.
printf '"postgres" ""\n"fieldedge_app" ""\n' > "$DIR/userlist.txt"
cat > "$DIR/pgbouncer.ini" <<INI
[databases]
; Wildcard: each test run creates a fresh database, reachable without a config reload.
* = host=$PG_HOST port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 20
; asyncpg sends only user, database and client_encoding at startup; other drivers and
; tools send these, which PgBouncer would otherwise refuse.
ignore_startup_parameters = extra_float_digits,options,statement_timeout,search_path
; Transaction mode cannot carry session state: drop it whenever a server is reused.
server_reset_query = DISCARD ALL
server_reset_query_always = 1
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
INI

ARGS=(-d "$DIR/pgbouncer.ini")
if [ "$(id -u)" -eq 0 ]; then
    # PgBouncer refuses to run as root; hand the files to the user it drops to.
    chown -R "$RUN_AS" "$DIR"
    ARGS=(-u "$RUN_AS" "${ARGS[@]}")
fi
"$PGBOUNCER" "${ARGS[@]}" >/dev/null 2>&1 || true

for _ in $(seq 1 50); do
    if accepting "$PORT"; then
        exit 0
    fi
    sleep 0.1
done
echo "pgbouncer: not accepting connections on 127.0.0.1:$PORT (config in $DIR)" >&2
cat "$DIR/pgbouncer.log" >&2 2>/dev/null || true
exit 1
