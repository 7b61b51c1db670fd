#!/usr/bin/env bash
# Sourced by deploy/local/test-all.sh: a throwaway PostgreSQL server for the JDBC manifest store's
# tests (PostgresManifestStoreTest). Installs PostgreSQL from Debian's packages when its server
# binaries are missing, creates a fresh cluster in a temporary directory with a password made up
# for this run only, listens on 127.0.0.1 on a free port, creates the database syntaxlake_test and
# exports SYNTAXLAKE_TEST_PG_URL, SYNTAXLAKE_TEST_PG_USER and SYNTAXLAKE_TEST_PG_PASSWORD. The
# server is stopped and its directory removed when the sourcing shell exits (added to any EXIT
# trap already set). Sourcing it again in the same shell reuses the running server; a server the
# caller already names in all three variables is used as it is.

_syntaxlake_pg_log() { echo "postgres: $*" >&2; }

# The directory holding initdb, pg_ctl and postgres: $SYNTAXLAKE_PG_BIN, the one on PATH, or the
# newest /usr/lib/postgresql/<version>/bin (Debian keeps the server binaries off PATH).
_syntaxlake_pg_bindir() {
  local candidates=() dir
  [[ -n "${SYNTAXLAKE_PG_BIN:-}" ]] && candidates+=("$SYNTAXLAKE_PG_BIN")
  if command -v initdb >/dev/null 2>&1; then
    candidates+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
  fi
  while IFS= read -r dir; do candidates+=("$dir"); done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r)
  for dir in "${candidates[@]}"; do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# Runs a command as the cluster's owner: initdb and postgres refuse to run as root.
_syntaxlake_pg_as_owner() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_syntaxlake_pg_stop() {
  if [[ -n "${_SYNTAXLAKE_PG_DIR:-}" && -d "$_SYNTAXLAKE_PG_DIR" ]]; then
    _syntaxlake_pg_as_owner "$_SYNTAXLAKE_PG_BINDIR/pg_ctl" -D "$_SYNTAXLAKE_PG_DIR/data" -m immediate -w stop \
      >/dev/null 2>&1 || true
    rm -rf "$_SYNTAXLAKE_PG_DIR"
  fi
  unset _SYNTAXLAKE_PG_DIR
}

# Puts _syntaxlake_pg_stop in front of whatever EXIT trap the sourcing shell already has.
_syntaxlake_pg_add_exit_trap() {
  local previous=""
  if [[ -n "$(trap -p EXIT)" ]]; then
    eval "set -- $(trap -p EXIT)"   # trap -- 'command' EXIT, unquoted by the shell itself
    previous="$3"
  fi
  # shellcheck disable=SC2064 # the previous command is expanded now, on purpose
  trap "_syntaxlake_pg_stop${previous:+; $previous}" EXIT
}

_syntaxlake_pg_start() {
  if [[ -n "${_SYNTAXLAKE_PG_DIR:-}" && -d "$_SYNTAXLAKE_PG_DIR" ]] \
      && _syntaxlake_pg_as_owner "$_SYNTAXLAKE_PG_BINDIR/pg_ctl" -D "$_SYNTAXLAKE_PG_DIR/data" status >/dev/null 2>&1; then
    _syntaxlake_pg_log "already running at $SYNTAXLAKE_TEST_PG_URL"
    return 0
  fi
  if [[ -n "${SYNTAXLAKE_TEST_PG_URL:-}" && -n "${SYNTAXLAKE_TEST_PG_USER:-}" && -n "${SYNTAXLAKE_TEST_PG_PASSWORD+set}" ]]; then
    _syntaxlake_pg_log "using the server the caller named: $SYNTAXLAKE_TEST_PG_URL"
    return 0
  fi

  local bindir
  if ! bindir="$(_syntaxlake_pg_bindir)"; then
    [[ $EUID -eq 0 ]] || { _syntaxlake_pg_log "PostgreSQL server binaries not found; install postgresql (as root)"; return 1; }
    _syntaxlake_pg_log "installing PostgreSQL from the Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q postgresql >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
    bindir="$(_syntaxlake_pg_bindir)" || { _syntaxlake_pg_log "no initdb/pg_ctl after installing postgresql"; return 1; }
  fi
  _SYNTAXLAKE_PG_BINDIR="$bindir"
  if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi

  local dir user=syntaxlake_test database=syntaxlake_test password port
  dir="$(mktemp -d "${TMPDIR:-/tmp}/syntaxlake-pg.XXXXXX")"
  _SYNTAXLAKE_PG_DIR="$dir"
  _syntaxlake_pg_add_exit_trap
  [[ $EUID -eq 0 ]] && chown postgres: "$dir"
  chmod 700 "$dir"
  password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  (umask 077 && printf '%s\n' "$password" > "$dir/pwfile")
  [[ $EUID -eq 0 ]] && chown postgres: "$dir/pwfile"
  # a throwaway cluster: no fsync at initdb or at run time (nothing here must survive a crash)
  _syntaxlake_pg_as_owner "$bindir/initdb" -D "$dir/data" -U "$user" --pwfile="$dir/pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C --no-sync > "$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  rm -f "$dir/pwfile"
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  _syntaxlake_pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  PGPASSWORD="$password" "$bindir/psql" -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$user" -d postgres \
    -c "CREATE DATABASE $database" >/dev/null
  export SYNTAXLAKE_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$port/$database"
  export SYNTAXLAKE_TEST_PG_USER="$user"
  export SYNTAXLAKE_TEST_PG_PASSWORD="$password"
  _syntaxlake_pg_log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at $SYNTAXLAKE_TEST_PG_URL (stopped on exit)"
}

_syntaxlake_pg_start
