#!/usr/bin/env bash
# build.sh — build/test entry point for the Notifiche solution.
#
#   ./build.sh test [dotnet test args...]   start throwaway RabbitMQ + PostgreSQL,
#                                           run `dotnet test` against them, stop them
#   ./build.sh infra                        start the same infrastructure, print the
#                                           variables, wait for Ctrl-C, then clean up
#   ./build.sh --help                       usage
#
# Everything runs on 127.0.0.1 on free ports inside a private temp dir, so it
# never clashes with a system-wide RabbitMQ/PostgreSQL (none is started or
# stopped by this script).
#
# Optional environment:
#   NOTIFICHE_BUILD_TEST_CMD       shell command run (via bash -c) instead of
#                                  `dotnet test <solution>`; extra args are
#                                  passed as "$@" to it
#   NOTIFICHE_BUILD_START_TIMEOUT  seconds to wait for each server (default 180)
#   NOTIFICHE_ARTIFACTS_DIR        where server logs are copied when something
#                                  fails (default: <repo>/artifacts/infra-logs)
#   NOTIFICHE_BUILD_SKIP_APT=1     never call apt-get (fail if something is missing)

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly REPO_ROOT
readonly APT_PACKAGES=(rabbitmq-server postgresql python3-aiosmtpd curl)
readonly SMTPD_PYTHON=/usr/bin/python3
readonly RABBITMQ_BIN_DIR=/usr/lib/rabbitmq/bin
START_TIMEOUT="${NOTIFICHE_BUILD_START_TIMEOUT:-180}"

# Messages go to fd 9, a copy of the original stderr: a trap can fire while a
# function call's output is redirected to a log file, and cleanup messages must
# still reach the person/CI log.
exec 9>&2
log() { printf 'build.sh: %s\n' "$*" >&9; }
die() { log "ERROR: $*"; exit 1; }

usage() {
    cat <<'EOF'
Usage: ./build.sh <command> [args...]

Commands:
  test [args...]   Install missing system packages (apt-get), start a throwaway
                   RabbitMQ (with management plugin) and PostgreSQL on free
                   loopback ports, run `dotnet test Notifiche.sln [args...]`
                   against them, stop everything and exit with the test exit
                   code. Example: ./build.sh test --filter "FullyQualifiedName~Smtp"
  infra            Start the same infrastructure, print the NOTIFICHE_TEST_*
                   variables as `export` lines and wait until Ctrl-C (then stop
                   everything). Use it to run `dotnet test` by hand from another
                   terminal.
  -h, --help       Show this help.

Environment variables exported to the tests:
  NOTIFICHE_TEST_RABBITMQ_HOST, NOTIFICHE_TEST_RABBITMQ_PORT,
  NOTIFICHE_TEST_RABBITMQ_MANAGEMENT_PORT, NOTIFICHE_TEST_RABBITMQ_USER,
  NOTIFICHE_TEST_RABBITMQ_PASSWORD, NOTIFICHE_TEST_POSTGRES,
  NOTIFICHE_TEST_SMTPD_PYTHON, MASSTRANSIT_USAGE_TELEMETRY=false,
  DOTNET_CLI_TELEMETRY_OPTOUT=1, DOTNET_NOLOGO=1

Optional settings:
  NOTIFICHE_BUILD_TEST_CMD       shell command to run instead of dotnet test
  NOTIFICHE_BUILD_START_TIMEOUT  seconds to wait for each server (default 180)
  NOTIFICHE_ARTIFACTS_DIR        where server logs are copied on failure
                                 (default: ./artifacts/infra-logs)
  NOTIFICHE_BUILD_SKIP_APT=1     never run apt-get
EOF
}

# --------------------------------------------------------------------------
# State used by cleanup (all optional until set)
# --------------------------------------------------------------------------
WORK_DIR=""
RABBIT_PID=""        # session leader of the rabbitmq-server process group
EPMD_PID=""          # our private epmd
RABBIT_NODE=""
RABBIT_READY=0       # 1 once await_startup succeeded
PG_DATA=""
PG_BIN=""
KEEP_LOGS=0          # set to 1 when logs should be preserved/printed
CLEANED_UP=0
RABBIT_ENV=()
WATCHDOG_PID=""

# --------------------------------------------------------------------------
# Packages
# --------------------------------------------------------------------------
pkg_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

ensure_packages() {
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        pkg_installed "$pkg" || missing+=("$pkg")
    done
    # A package can be "installed" but unusable (e.g. python module removed); check too.
    if [[ ${#missing[@]} -eq 0 ]] && ! "$SMTPD_PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
        missing+=(python3-aiosmtpd)
    fi
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "system packages present (${APT_PACKAGES[*]})"
        return 0
    fi
    [[ "${NOTIFICHE_BUILD_SKIP_APT:-}" == 1 ]] && die "missing packages: ${missing[*]} (NOTIFICHE_BUILD_SKIP_APT=1)"

    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "missing packages: ${missing[*]}; run as root or install them"
        sudo=(sudo)
    fi
    log "installing missing packages: ${missing[*]} (apt-get update + install, this takes a minute) ..."
    local apt_opts=(-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" -q update >&2; then
        log "warning: apt-get update reported errors; trying the install anyway"
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" -q -y \
        --no-install-recommends install "${missing[@]}" >&2 \
        || die "apt-get install ${missing[*]} failed"
    for pkg in "${missing[@]}"; do
        pkg_installed "$pkg" || die "package $pkg still not installed after apt-get"
    done
}

check_aiosmtpd() {
    "$SMTPD_PYTHON" -c 'import aiosmtpd' 2>/dev/null \
        || die "$SMTPD_PYTHON cannot import aiosmtpd (is python3-aiosmtpd installed?)"
    log "aiosmtpd importable by $SMTPD_PYTHON ($("$SMTPD_PYTHON" -c 'import aiosmtpd; print(aiosmtpd.__version__)'))"
}

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
# Prints N distinct free TCP ports on 127.0.0.1 (all sockets held open at once
# so the ports are distinct; a tiny race with other processes remains).
free_ports() {
    "$SMTPD_PYTHON" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

# True while the process exists and is not a zombie. (PID 1 in containers is
# often slow to reap orphans, e.g. the postmaster after pg_ctl stop, and
# kill -0 succeeds on zombies.)
pid_alive() {
    [[ "${1:-}" =~ ^[0-9]+$ ]] || return 1
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ -n "$stat" && "${stat:0:1}" != Z ]]
}

# Runs a command as the postgres OS user when we are root (PostgreSQL refuses
# to run as root); from / so the postgres user can always access the cwd.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

rabbit() {  # rabbit <tool> args...  -> runs a RabbitMQ CLI tool with our node's env
    local tool="$1"; shift
    env "${RABBIT_ENV[@]}" "$RABBITMQ_BIN_DIR/$tool" -n "$RABBIT_NODE" "$@"
}

# --------------------------------------------------------------------------
# RabbitMQ
# --------------------------------------------------------------------------
start_rabbitmq() {
    [[ -x "$RABBITMQ_BIN_DIR/rabbitmq-server" ]] || die "$RABBITMQ_BIN_DIR/rabbitmq-server not found"
    local epmd_bin
    epmd_bin="$(command -v epmd || true)"
    [[ -n "$epmd_bin" ]] || die "epmd not found (erlang-base missing?)"

    local dir="$WORK_DIR/rabbitmq"
    mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
    RABBIT_NODE="notifiche-test-${WORK_DIR##*.}@localhost"

    # Erlang cookie: the server and rabbitmqctl both read $HOME/.erlang.cookie,
    # so give both the same private HOME with a fresh random cookie. (Using the
    # Debian wrappers in /usr/sbin would `su rabbitmq` and use
    # /var/lib/rabbitmq/.erlang.cookie instead; we call /usr/lib/rabbitmq/bin.)
    (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F' >"$dir/home/.erlang.cookie")

    printf '[rabbitmq_management].\n' >"$dir/enabled_plugins"
    : >"$dir/rabbitmq-env.conf"   # shields us from /etc/rabbitmq/rabbitmq-env.conf
    cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$RABBIT_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
loopback_users.guest = true
log.file.level = info
log.console = false
disk_free_limit.absolute = 50MB
# fresher management-API statistics (queue depths etc.) for tests that poll them
collect_statistics_interval = 1000
EOF

    RABBIT_ENV=(
        "HOME=$dir/home"
        "RABBITMQ_NODENAME=$RABBIT_NODE"
        "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1"
        "RABBITMQ_NODE_PORT=$RABBIT_PORT"
        "RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT"
        "RABBITMQ_MNESIA_BASE=$dir/mnesia"
        "RABBITMQ_LOG_BASE=$dir/log"
        "RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins"
        "RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf"
        "RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config"
        "RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf"
        "RABBITMQ_PID_FILE=$dir/rabbitmq.pid"
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
        "ERL_EPMD_PORT=$EPMD_PORT"
        "ERL_EPMD_ADDRESS=127.0.0.1"
    )

    # Private epmd on its own port: we own its pid and can kill it safely
    # without disturbing a system-wide epmd on 4369.
    log "starting private epmd on 127.0.0.1:$EPMD_PORT ..."
    setsid "$epmd_bin" -port "$EPMD_PORT" -address 127.0.0.1 </dev/null >"$dir/log/epmd.log" 2>&1 9>&- &
    EPMD_PID=$!
    echo "$EPMD_PID" >"$WORK_DIR/epmd.pid"
    local i
    for ((i = 0; i < 100; i++)); do
        env ERL_EPMD_PORT="$EPMD_PORT" "$epmd_bin" -names >/dev/null 2>&1 && break
        pid_alive "$EPMD_PID" || { cat "$dir/log/epmd.log" >&9; die "epmd exited"; }
        sleep 0.1
    done

    log "starting RabbitMQ node $RABBIT_NODE on 127.0.0.1:$RABBIT_PORT (management :$RABBIT_MGMT_PORT, dist :$RABBIT_DIST_PORT) ..."
    # setsid: own process group, so Ctrl-C in the terminal does not hit it and
    # we can kill the whole group (beam.smp, erl_child_setup, ...) as a fallback.
    (cd "$dir" && exec setsid env "${RABBIT_ENV[@]}" "$RABBITMQ_BIN_DIR/rabbitmq-server" \
        </dev/null >"$dir/log/console.log" 2>&1 9>&-) &
    RABBIT_PID=$!
    echo "$RABBIT_PID" >"$WORK_DIR/rabbitmq.pgid"
}

wait_rabbitmq() {
    local dir="$WORK_DIR/rabbitmq" deadline=$((SECONDS + START_TIMEOUT))
    local short="${RABBIT_NODE%@*}"
    # Cheap wait first: until the node registers in our epmd.
    until env ERL_EPMD_PORT="$EPMD_PORT" epmd -names 2>/dev/null | grep -q "^name $short "; do
        pid_alive "$RABBIT_PID" || { KEEP_LOGS=1; die "RabbitMQ exited during startup (logs below)"; }
        ((SECONDS < deadline)) || { KEEP_LOGS=1; die "RabbitMQ did not register with epmd within ${START_TIMEOUT}s"; }
        sleep 0.2
    done
    local remaining=$((deadline - SECONDS))
    ((remaining > 5)) || remaining=5
    if ! rabbit rabbitmqctl -q await_startup --timeout "$remaining" >"$dir/log/await_startup.log" 2>&1; then
        cat "$dir/log/await_startup.log" >&9
        KEEP_LOGS=1
        die "rabbitmqctl await_startup failed for $RABBIT_NODE"
    fi
    # The gateway moves a service's broker submission (which carries the service's user_id) to submit-notice_error;
    # RabbitMQ lets only an 'impersonator' publish a user_id other than its own (deploy/rabbitmq/definitions.json too).
    rabbit rabbitmqctl -q set_user_tags guest administrator impersonator >/dev/null \
        || die "could not tag the guest user as impersonator"
    local url="http://127.0.0.1:$RABBIT_MGMT_PORT/api/overview"
    until curl -sf -o /dev/null -u guest:guest "$url"; do
        pid_alive "$RABBIT_PID" || { KEEP_LOGS=1; die "RabbitMQ exited during startup"; }
        ((SECONDS < deadline)) || { KEEP_LOGS=1; die "RabbitMQ management API ($url) not answering within ${START_TIMEOUT}s"; }
        sleep 0.3
    done
    RABBIT_READY=1
    log "RabbitMQ is up (AMQP 127.0.0.1:$RABBIT_PORT, management http://127.0.0.1:$RABBIT_MGMT_PORT/)"
}

stop_rabbitmq() {
    [[ -n "$RABBIT_PID" ]] || return 0
    local i
    if pid_alive "$RABBIT_PID" && ((RABBIT_READY)); then
        log "stopping RabbitMQ node $RABBIT_NODE ..."
        timeout 60 env "${RABBIT_ENV[@]}" "$RABBITMQ_BIN_DIR/rabbitmqctl" -n "$RABBIT_NODE" -q stop \
            </dev/null >/dev/null 2>&1 9>&- || true
        for ((i = 0; i < 150; i++)); do pid_alive "$RABBIT_PID" || break; sleep 0.2; done
        if pid_alive "$RABBIT_PID"; then
            log "RabbitMQ still running; sending SIGTERM to its process group"
            kill -TERM -- "-$RABBIT_PID" 2>/dev/null || true
            for ((i = 0; i < 50; i++)); do pid_alive "$RABBIT_PID" || break; sleep 0.2; done
        fi
    elif pid_alive "$RABBIT_PID"; then
        log "killing RabbitMQ (its startup had not completed)"
    fi
    # Whatever is left in the group (beam.smp, erl_child_setup, inet_gethost...)
    kill -KILL -- "-$RABBIT_PID" 2>/dev/null || true
    wait "$RABBIT_PID" 2>/dev/null || true
    RABBIT_PID=""
}

stop_epmd() {
    [[ -n "$EPMD_PID" ]] || return 0
    kill -TERM "$EPMD_PID" 2>/dev/null || true
    wait "$EPMD_PID" 2>/dev/null || true
    EPMD_PID=""
}

# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------
find_pg_bin() {
    local d best="" best_ver=0 ver
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] || continue
        ver="$(basename "$(dirname "$d")")"
        [[ "$ver" =~ ^[0-9]+$ ]] || continue
        if ((ver > best_ver)); then best_ver=$ver; best=$d; fi
    done
    [[ -n "$best" ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    PG_BIN="$best"
}

start_postgres() {
    find_pg_bin
    local dir="$WORK_DIR/postgres"
    mkdir -p "$dir/socket"
    PG_DATA="$dir/data"
    printf 'postgres\n' >"$dir/pwfile"
    if [[ $EUID -eq 0 ]]; then
        chown -R postgres: "$dir"
    fi
    log "initialising PostgreSQL $(basename "$(dirname "$PG_BIN")") cluster in $PG_DATA ..."
    if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$dir/pwfile" \
            -A trust -E UTF8 --locale=C.UTF-8 --no-sync --no-instructions >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&9
        die "initdb failed"
    fi
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- added by build.sh (throwaway test instance) ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$dir/socket'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
log_min_messages = warning
EOF
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT ..."
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$dir/postgres.log" -w -t "$START_TIMEOUT" start \
            </dev/null >"$dir/pg_ctl.log" 2>&1 9>&-; then
        cat "$dir/pg_ctl.log" >&9
        KEEP_LOGS=1
        die "pg_ctl start failed"
    fi
}

wait_postgres() {
    local deadline=$((SECONDS + START_TIMEOUT))
    until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres; do
        ((SECONDS < deadline)) || { KEEP_LOGS=1; die "PostgreSQL not ready within ${START_TIMEOUT}s"; }
        sleep 0.2
    done
    log "PostgreSQL is up (127.0.0.1:$PG_PORT)"
}

stop_postgres() {
    [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]] || return 0
    local pm_pid
    pm_pid="$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
    log "stopping PostgreSQL ..."
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop </dev/null >/dev/null 2>&1 9>&- || true
    [[ "$pm_pid" =~ ^[0-9]+$ ]] || return 0
    # pg_ctl returns once postmaster.pid is gone; the process may need a moment more.
    local i
    for ((i = 0; i < 50; i++)); do pid_alive "$pm_pid" || break; sleep 0.1; done
    if pid_alive "$pm_pid"; then
        log "postmaster $pm_pid still running; killing it"
        # pg_ctl starts the postmaster in its own session/process group.
        kill -KILL -- "-$pm_pid" 2>/dev/null || kill -KILL "$pm_pid" 2>/dev/null || true
    fi
}

# --------------------------------------------------------------------------
# Watchdog: if build.sh itself dies without running its trap (SIGKILL, e.g. a
# killed CI job or tool), a detached helper notices and stops what we started.
# It exits by itself once the work dir is gone (normal cleanup).
# --------------------------------------------------------------------------
start_watchdog() {
    # shellcheck disable=SC2016  # the script is meant for the inner bash
    setsid bash -c '
        parent=$1 dir=$2
        while kill -0 "$parent" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
        [ -d "$dir" ] || exit 0
        pg_pid=$(head -n1 "$dir/postgres/data/postmaster.pid" 2>/dev/null)
        [ -n "$pg_pid" ] && kill -QUIT "$pg_pid" 2>/dev/null   # immediate shutdown
        [ -f "$dir/rabbitmq.pgid" ] && kill -KILL -- "-$(cat "$dir/rabbitmq.pgid")" 2>/dev/null
        [ -f "$dir/epmd.pid" ] && kill -KILL "$(cat "$dir/epmd.pid")" 2>/dev/null
        sleep 3
        [ -n "$pg_pid" ] && kill -KILL "$pg_pid" 2>/dev/null
        rm -rf -- "$dir"
    ' build.sh-watchdog "$$" "$WORK_DIR" </dev/null >/dev/null 2>&1 9>&- &
    WATCHDOG_PID=$!
}

# --------------------------------------------------------------------------
# Logs + cleanup
# --------------------------------------------------------------------------
show_and_keep_logs() {
    [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]] || return 0
    local f
    for f in "$WORK_DIR"/rabbitmq/log/*.log "$WORK_DIR"/postgres/postgres.log; do
        [[ -s "$f" ]] || continue
        printf '\nbuild.sh: ----- last 40 lines of %s -----\n' "${f#"$WORK_DIR"/}" >&9
        tail -n 40 "$f" >&9 || true
    done
    local dest="${NOTIFICHE_ARTIFACTS_DIR:-$REPO_ROOT/artifacts/infra-logs}"
    if mkdir -p "$dest" 2>/dev/null; then
        rm -rf -- "$dest/rabbitmq" "$dest/postgres"   # only this run's logs
        mkdir -p "$dest/rabbitmq" "$dest/postgres"
        cp -f "$WORK_DIR"/rabbitmq/log/* "$dest/rabbitmq/" 2>/dev/null || true
        cp -f "$WORK_DIR"/postgres/*.log "$dest/postgres/" 2>/dev/null || true
        log "server logs copied to $dest"
    fi
}

cleanup() {
    local rc=$?
    ((CLEANED_UP)) && return 0
    CLEANED_UP=1
    set +e
    trap - INT TERM
    [[ -n "${SLEEP_PID:-}" ]] && kill "$SLEEP_PID" 2>/dev/null
    stop_rabbitmq
    stop_epmd
    stop_postgres
    if ((KEEP_LOGS)) || ((rc != 0 && rc != 130 && rc != 143)); then
        show_and_keep_logs
    fi
    if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then
        rm -rf -- "$WORK_DIR"
    fi
    [[ -n "$WATCHDOG_PID" ]] && kill "$WATCHDOG_PID" 2>/dev/null
    ((STARTED_AT)) && log "cleaned up (total $((SECONDS - STARTED_AT))s)"
    exit "$rc"
}

# --------------------------------------------------------------------------
# Infrastructure orchestration
# --------------------------------------------------------------------------
STARTED_AT=0
start_infra() {
    STARTED_AT=$SECONDS
    ((STARTED_AT)) || STARTED_AT=1   # keep it non-zero (used as a flag)
    ensure_packages
    check_aiosmtpd
    command -v dotnet >/dev/null 2>&1 || [[ -n "${NOTIFICHE_BUILD_TEST_CMD:-}" || "$MODE" == infra ]] \
        || die "dotnet SDK not found on PATH"

    WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/notifiche-build.XXXXXXXX")"
    # The postgres user must be able to traverse into its data dir.
    chmod 711 "$WORK_DIR"
    start_watchdog

    local ports
    ports="$(free_ports 5)"
    read -r RABBIT_PORT RABBIT_MGMT_PORT RABBIT_DIST_PORT EPMD_PORT PG_PORT <<<"$ports"
    [[ -n "${PG_PORT:-}" ]] || die "could not pick free ports"

    local t0=$SECONDS
    start_rabbitmq          # boots in the background ...
    start_postgres          # ... while PostgreSQL is initialised
    wait_postgres
    wait_rabbitmq
    log "infrastructure ready in $((SECONDS - t0))s (work dir $WORK_DIR)"

    export NOTIFICHE_TEST_RABBITMQ_HOST=127.0.0.1
    export NOTIFICHE_TEST_RABBITMQ_PORT="$RABBIT_PORT"
    export NOTIFICHE_TEST_RABBITMQ_MANAGEMENT_PORT="$RABBIT_MGMT_PORT"
    export NOTIFICHE_TEST_RABBITMQ_USER=guest
    export NOTIFICHE_TEST_RABBITMQ_PASSWORD=guest
    export NOTIFICHE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=postgres;Database=postgres"
    export NOTIFICHE_TEST_SMTPD_PYTHON="$SMTPD_PYTHON"
    export MASSTRANSIT_USAGE_TELEMETRY=false
    export DOTNET_CLI_TELEMETRY_OPTOUT=1
    export DOTNET_NOLOGO=1
}

exported_vars() {
    local v
    for v in NOTIFICHE_TEST_RABBITMQ_HOST NOTIFICHE_TEST_RABBITMQ_PORT \
             NOTIFICHE_TEST_RABBITMQ_MANAGEMENT_PORT NOTIFICHE_TEST_RABBITMQ_USER \
             NOTIFICHE_TEST_RABBITMQ_PASSWORD NOTIFICHE_TEST_POSTGRES \
             NOTIFICHE_TEST_SMTPD_PYTHON MASSTRANSIT_USAGE_TELEMETRY \
             DOTNET_CLI_TELEMETRY_OPTOUT DOTNET_NOLOGO; do
        printf "export %s='%s'\n" "$v" "${!v}"
    done
}

find_solution() {
    local s
    for s in Notifiche.sln Notifiche.slnx; do
        [[ -f "$REPO_ROOT/$s" ]] && { printf '%s\n' "$s"; return 0; }
    done
    die "neither Notifiche.sln nor Notifiche.slnx found in $REPO_ROOT"
}

cmd_test() {
    start_infra
    cd "$REPO_ROOT"
    local rc=0
    local ledger="$REPO_ROOT/artifacts/fault-ledger.txt"   # written by tests/Notifiche.Faults.Tests
    rm -f "$ledger"
    if [[ -n "${NOTIFICHE_BUILD_TEST_CMD:-}" ]]; then
        log "running (NOTIFICHE_BUILD_TEST_CMD): $NOTIFICHE_BUILD_TEST_CMD"
        bash -c "$NOTIFICHE_BUILD_TEST_CMD" build.sh-test "$@" 9>&- || rc=$?
    else
        local sln
        sln="$(find_solution)"
        log "running: dotnet test $sln $*"
        dotnet test "$sln" "$@" 9>&- || rc=$?
    fi
    if [[ -f "$ledger" ]]; then
        log "fault-injection ledger (submitted / sent / failed / lost / duplicates per scenario):"
        sed 's/^/    /' "$ledger" >&9
    fi
    if ((rc != 0)); then
        log "tests FAILED (exit code $rc)"
        KEEP_LOGS=1
    else
        log "tests passed"
    fi
    exit "$rc"
}

cmd_infra() {
    start_infra
    local envfile="$WORK_DIR/env.sh"
    exported_vars >"$envfile"
    exported_vars
    log "infrastructure running; in another terminal: source $envfile && dotnet test"
    log "press Ctrl-C to stop and clean up"
    trap 'log "interrupted"; exit 0' INT TERM
    while true; do
        if ! pid_alive "$RABBIT_PID"; then KEEP_LOGS=1; die "RabbitMQ exited unexpectedly"; fi
        if [[ ! -f "$PG_DATA/postmaster.pid" ]]; then KEEP_LOGS=1; die "PostgreSQL exited unexpectedly"; fi
        sleep 2 &
        SLEEP_PID=$!
        wait "$SLEEP_PID" || true
        SLEEP_PID=""
    done
}

# --------------------------------------------------------------------------
MODE="${1:-}"
case "$MODE" in
    test|infra)
        shift
        trap cleanup EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        if [[ "$MODE" == test ]]; then cmd_test "$@"; else cmd_infra "$@"; fi
        ;;
    -h|--help|help|"")
        usage
        ;;
    *)
        usage >&2
        exit 2
        ;;
esac
