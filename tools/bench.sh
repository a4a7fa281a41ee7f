#!/usr/bin/env bash
# tools/bench.sh — the pipeline benchmark (issue 7) in one command.
#
#   tools/bench.sh [benchmark options]     e.g. tools/bench.sh --clients 16 --notices 10000
#   tools/bench.sh --help                  the benchmark's options
#
# Starts a throwaway RabbitMQ (management plugin) and PostgreSQL on free loopback ports exactly as
# `./build.sh test` does, runs tools/Notifiche.Benchmark (Release) against them instead of `dotnet test`, and
# stops both servers afterwards whatever happens. The benchmark stops its own hosts and SMTP sink (and, with
# --scale-out, the service processes it starts from artifacts/bench-services).
# Needs what build.sh needs (root on Debian 12, the .NET 10 SDK; apt-get installs the servers when missing).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

for a in "$@"; do
    if [[ "$a" == -h || "$a" == --help ]]; then
        exec dotnet run -c Release --project tools/Notifiche.Benchmark -- --help
    fi
done

# Build first, so the servers are not kept waiting on a compile (and a build error fails fast). Published ReadyToRun,
# as the service images are (deploy/Dockerfile): the hosts start with precompiled code instead of JIT-compiling
# everything while they are measured. (The services' appsettings.json collide in one folder; the benchmark configures
# its hosts itself and reads none of them.)
# One build node (-m:1): with several, a service project referenced twice was sometimes built twice at once and one
# build failed on the static web assets cache file the other held.
dotnet publish tools/Notifiche.Benchmark/Notifiche.Benchmark.csproj -c Release -r linux-x64 --no-self-contained \
    -p:PublishReadyToRun=true -p:ErrorOnDuplicatePublishOutputFiles=false -o artifacts/bench -nologo -clp:ErrorsOnly -v:q -m:1

# --scale-out runs each service as its own process (dotnet <Service>.dll), so each gets a publish folder of its own
# (where its appsettings.json is its own), ReadyToRun as the benchmark and the images are; the benchmark finds them
# through NOTIFICHE_BENCH_SERVICES and refuses --scale-out without them.
for a in "$@"; do
    if [[ "$a" == --scale-out ]]; then
        for service in Notifiche.Gateway Notifiche.Preferences Notifiche.Dispatch.Email; do
            rm -rf "artifacts/bench-services/$service"
            dotnet publish "services/$service/$service.csproj" -c Release -r linux-x64 --no-self-contained \
                -p:PublishReadyToRun=true -o "artifacts/bench-services/$service" -nologo -clp:ErrorsOnly -v:q -m:1
        done
        export NOTIFICHE_BENCH_SERVICES="$REPO_ROOT/artifacts/bench-services"
    fi
done

# --pg-durable: PostgreSQL as deployed, every commit flushed to disk, instead of the test suites' cluster without fsync
# (tests/Notifiche.Testing/Servers/LocalPostgres.cs). The benchmark reads the server's settings and reports them.
# --pg-statements: the server loads pg_stat_statements, and the report lists where PostgreSQL's time went.
for a in "$@"; do
    if [[ "$a" == --pg-durable ]]; then
        export NOTIFICHE_TEST_POSTGRES_DURABLE=1
    fi
    if [[ "$a" == --pg-statements ]]; then
        export NOTIFICHE_TEST_POSTGRES_STATEMENTS=1
    fi
done

# The GC's first generation as the service images set it (deploy/Dockerfile): the hosts run here as they run there.
# Exported, so the scale-out phase's service processes inherit it (the phase reads it back from one and prints it).
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x2000000}"
export NOTIFICHE_BUILD_TEST_CMD='dotnet artifacts/bench/Notifiche.Benchmark.dll "$@"'
exec ./build.sh test "$@"
