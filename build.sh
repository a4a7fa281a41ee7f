#!/usr/bin/env bash
# build.sh — build/test entry point for the Notifiche solution.
#
#   ./build.sh test [dotnet test args...]   start throwaway RabbitMQ + PostgreSQL,
#                                           run `dotnet test` against them, stop them
#   ./build.sh infra                        start the same servers, print the
#                                           variables, wait for Ctrl-C, then clean up
#   ./build.sh --help                       usage
#
# This script installs what is missing and builds; the servers are started, watched and
# stopped by tests/Notifiche.TestServers (the same C# classes the fault suite and the
# benchmark use, tests/Notifiche.Testing/Servers): on 127.0.0.1, on free ports, in
# private temp dirs, never touching a system-wide RabbitMQ/PostgreSQL.
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
readonly APT_PACKAGES=(rabbitmq-server postgresql python3-aiosmtpd)
readonly SMTPD_PYTHON=/usr/bin/python3
readonly TEST_SERVERS=tests/Notifiche.TestServers
readonly TEST_SERVERS_DLL="$TEST_SERVERS/bin/Release/net10.0/Notifiche.TestServers.dll"

# Nothing phones home, from the first dotnet call on.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MASSTRANSIT_USAGE_TELEMETRY=false

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

usage() {
    cat <<'EOF'
Usage: ./build.sh <command> [args...]

Commands:
  test [args...]   Install missing system packages (apt-get), build the
                   solution, start a throwaway RabbitMQ (with management
                   plugin) and PostgreSQL on free loopback ports, run
                   `dotnet test Notifiche.sln --no-build [args...]` against
                   them, stop everything and exit with the test exit code.
                   Example: ./build.sh test --filter "FullyQualifiedName~Smtp"
  infra            Start the same servers, print the NOTIFICHE_TEST_*
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

The servers are started by tests/Notifiche.TestServers, which can also be run
directly: dotnet run --project tests/Notifiche.TestServers -- --help
EOF
}

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

# promtool (alert rules checked by tests/Notifiche.Deploy.Tests) comes from Debian's `prometheus` package, but
# installing that package would also start a Prometheus server: the one binary is taken out of the package instead,
# into a cache outside the clone (downloaded once per machine), and put on the tests' PATH. Without network or apt,
# the spec that needs it fails under CI=true and is skipped elsewhere.
readonly PROMTOOL_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/notifiche/promtool"
ensure_promtool() {
    if command -v promtool >/dev/null 2>&1; then
        return 0
    fi
    if [[ ! -x "$PROMTOOL_CACHE/promtool" && "${NOTIFICHE_BUILD_SKIP_APT:-}" != 1 ]]; then
        log "fetching promtool from Debian's prometheus package (once; cached in $PROMTOOL_CACHE) ..."
        local tmp
        tmp="$(mktemp -d)"
        chmod 755 "$tmp"   # apt's download runs as the _apt user where it can
        local sudo=()
        [[ $EUID -eq 0 ]] || sudo=(sudo)
        # A machine whose package lists were never fetched knows no prometheus package yet: fetch them once and retry.
        if (cd "$tmp" && { apt-get -q download prometheus 2>/dev/null \
                || { "${sudo[@]}" apt-get -q update >/dev/null 2>&1 && apt-get -q download prometheus 2>/dev/null; }; } >&2 \
            && dpkg-deb --fsys-tarfile prometheus_*.deb | tar -x ./usr/bin/promtool); then
            mkdir -p "$PROMTOOL_CACHE" && mv "$tmp/usr/bin/promtool" "$PROMTOOL_CACHE/promtool"
        else
            log "warning: could not fetch promtool (apt-get download prometheus failed); the alert rules' syntax check cannot run"
        fi
        rm -rf "$tmp"
    fi
    if [[ -x "$PROMTOOL_CACHE/promtool" ]]; then
        export PATH="$PROMTOOL_CACHE:$PATH"
    fi
}

check_aiosmtpd() {
    "$SMTPD_PYTHON" -c 'import aiosmtpd' 2>/dev/null \
        || die "$SMTPD_PYTHON cannot import aiosmtpd (is python3-aiosmtpd installed?)"
    log "aiosmtpd importable by $SMTPD_PYTHON ($("$SMTPD_PYTHON" -c 'import aiosmtpd; print(aiosmtpd.__version__)'))"
}

# --------------------------------------------------------------------------
# Servers: tests/Notifiche.TestServers starts them, runs the given command (or
# waits for Ctrl-C), stops them and keeps their logs when something failed.
# It replaces this process, so signals (Ctrl-C, a CI job's SIGTERM) reach it.
# --------------------------------------------------------------------------
exec_test_servers() {
    ensure_packages
    check_aiosmtpd
    ensure_promtool
    command -v dotnet >/dev/null 2>&1 || die "dotnet SDK not found on PATH"
    cd "$REPO_ROOT"
    log "building $TEST_SERVERS ..."
    dotnet build "$TEST_SERVERS" -c Release -nologo -clp:ErrorsOnly -v:q >&2 || die "could not build $TEST_SERVERS"
    export NOTIFICHE_TEST_SMTPD_PYTHON="$SMTPD_PYTHON"
    exec dotnet "$TEST_SERVERS_DLL" "$@"
}

find_solution() {
    local s
    for s in Notifiche.sln Notifiche.slnx; do
        [[ -f "$REPO_ROOT/$s" ]] && { printf '%s\n' "$s"; return 0; }
    done
    die "neither Notifiche.sln nor Notifiche.slnx found in $REPO_ROOT"
}

# Builds the solution before the servers start (unless a custom command runs), with the configuration the test
# arguments name; compile errors stop here. `--no-build` among the arguments means it is built already.
build_solution() {
    [[ -z "${NOTIFICHE_BUILD_TEST_CMD:-}" ]] || return 0
    local build_args=() arg previous=""
    for arg in "$@"; do
        [[ "$arg" == "--no-build" ]] && return 0
        case "$previous" in -c|--configuration|-f|--framework) build_args+=("$previous" "$arg") ;; esac
        previous="$arg"
    done
    local sln
    sln="$(find_solution)"
    log "building $sln ${build_args[*]}"
    (cd "$REPO_ROOT" && dotnet build "$sln" -nologo -v:q -clp:ErrorsOnly "${build_args[@]}") || die "the build failed"
}

# The command the test servers run: the tests, then the fault suite's ledger.
run_tests() {
    cd "$REPO_ROOT"
    local rc=0
    local ledger="$REPO_ROOT/artifacts/fault-ledger.txt"   # written by tests/Notifiche.Faults.Tests
    rm -f "$ledger"
    if [[ -n "${NOTIFICHE_BUILD_TEST_CMD:-}" ]]; then
        log "running (NOTIFICHE_BUILD_TEST_CMD): $NOTIFICHE_BUILD_TEST_CMD"
        bash -c "$NOTIFICHE_BUILD_TEST_CMD" build.sh-test "$@" || rc=$?
    else
        local sln
        sln="$(find_solution)"
        log "running: dotnet test $sln --no-build $*"
        # Built beforehand (build_solution), so the projects start in the solution's order: the fault suite, the
        # longest, first, beside the others, instead of last when it happens to finish building last.
        dotnet test "$sln" --no-build "$@" || rc=$?
    fi
    if [[ -f "$ledger" ]]; then
        log "fault-injection ledger (submitted / sent / failed / lost / duplicates per scenario):"
        sed 's/^/    /' "$ledger" >&2
    fi
    if ((rc != 0)); then
        log "tests FAILED (exit code $rc)"
    else
        log "tests passed"
    fi
    exit "$rc"
}

# --------------------------------------------------------------------------
MODE="${1:-}"
case "$MODE" in
    test)
        shift
        build_solution "$@"
        exec_test_servers run -- "$REPO_ROOT/build.sh" run-tests "$@"
        ;;
    infra)
        shift
        [[ $# -eq 0 ]] || die "infra takes no arguments"
        exec_test_servers infra
        ;;
    run-tests)   # internal: what `test` runs once the servers are up
        shift
        run_tests "$@"
        ;;
    -h|--help|help|"")
        usage
        ;;
    *)
        usage >&2
        exit 2
        ;;
esac
