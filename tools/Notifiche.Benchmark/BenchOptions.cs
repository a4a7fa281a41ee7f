using System.Globalization;

namespace Notifiche.Benchmark;

public sealed class BenchOptions
{
    public int Clients { get; set; } = 16;
    public int Notices { get; set; } = 4_000;
    public int Warmup { get; set; } = 1_000;
    /// <summary>The warm-up goes on in rounds until tiered compilation settles, up to this many notices; 0 = exactly <see cref="Warmup"/>.</summary>
    public int WarmupMax { get; set; } = 12_000;
    /// <summary>Tiered compilation has settled when a warm-up round compiles fewer methods than this.</summary>
    public int WarmupSettled { get; set; } = 100;
    public const int WarmupRound = 500;
    public int DrainNotices { get; set; } = 1_500;
    public int RawMessages { get; set; } = 30_000;
    public int RawBatch { get; set; } = 500;
    public int RawBodyBytes { get; set; } = 1_500;
    public int Citizens { get; set; } = 1_000;
    public bool SkipRaw { get; set; }
    public bool SkipDrain { get; set; }
    public bool Profile { get; set; } = true;
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Overrides of the services' own defaults; null = what the services ship with.</summary>
    public int? Prefetch { get; set; }
    public int? OutboxBatch { get; set; }
    public int? SmtpPoolSize { get; set; }
    /// <summary>Npgsql automatic preparation (Max Auto Prepare) in the services' connection strings; null = the services' default.</summary>
    public int? PgAutoPrepare { get; set; }
    /// <summary>PostgreSQL with fsync and synchronous commit on (tools/bench.sh starts it so); checked against the server.</summary>
    public bool PgDurable { get; set; }

    /// <summary>Report the statements PostgreSQL spent the steady run's time on (pg_stat_statements; a few % of its CPU).</summary>
    public bool PgStatements { get; set; }
    /// <summary>Length of the open-loop phase (requests at a fixed arrival rate); zero skips it.</summary>
    public double OpenLoopSeconds { get; set; } = 20;
    /// <summary>Arrival rate of the open-loop phase; null = half the steady run's end-to-end rate.</summary>
    public double? OpenLoopRate { get; set; }
    /// <summary>Rows of the campaign phase (a CSV upload, single notices timed meanwhile); zero skips it.</summary>
    public int CampaignRows { get; set; }
    /// <summary>Phase (7): two gateways, two preferences and two email dispatchers as separate processes (tools/bench.sh publishes them).</summary>
    public bool ScaleOut { get; set; }

    public const string Usage = """
        Notifiche pipeline benchmark (issue 7). Run it with tools/bench.sh, which starts a throwaway RabbitMQ and
        PostgreSQL (as build.sh does for the tests), runs this program against them and stops them afterwards:

          tools/bench.sh [options]

        Phases: (1) raw RabbitMQ baseline (persistent, publisher confirms, one quorum queue, one consumer, manual
        acks); (2) the gateway, preferences and email dispatcher hosts on RabbitMQ + PostgreSQL with an in-process
        SMTP sink; citizens get profiles (verified email); (3) warm-up, then the steady run: N concurrent HTTP clients
        POST /api/v1/notices, as fast as they are answered (closed loop: the saturation rate); (4) open loop: requests
        at a fixed arrival rate (default half the steady end-to-end rate), latency measured from each request's
        scheduled time, so it is latency under load, not at saturation; (5) backlog drain: notices accepted with the
        email dispatcher stopped, then it is started; then figures and reconciliation (every accepted notice SENT
        exactly once at the sink); (6) with --campaign-rows, a campaign: a CSV of that many rows over the citizens
        uploaded to POST /api/v1/campaigns, a single notice sent every second while it runs, its latency reported beside
        the same latency measured just before the campaign, and the campaign reconciled on its own; (7) with
        --scale-out, the in-process hosts stopped, two gateways, two preferences and two email dispatchers as separate
        processes (dotnet <Service>.dll, published ReadyToRun by tools/bench.sh) on a fresh vhost and databases, set up
        as the in-process hosts are; a fixed warm-up (the processes' compiled methods cannot be counted from here) and a
        wait until their tiered-compilation threads go quiet, then --notices notices from --clients clients round-robin
        over both gateways: the rate, the CPU per notice of each group of processes beside the single-instance figure
        and its CPU at rest, each process's peak RSS, how the work spread over the instances, and a reconciliation of
        its own, part of the verdict.

        Options:
          --clients N          concurrent HTTP clients (default 16)
          --notices N          notices in the steady run (default 4000)
          --warmup N           notices sent first and not measured (default 1000; the
                               JIT tiers up the hosts' code meanwhile), then rounds of 500
                               until a round compiles fewer than --warmup-settled methods
          --warmup-max N       most warm-up notices in all (default 12000; 0 = exactly
                               --warmup, the fixed warm-up of earlier runs)
          --warmup-settled N   methods compiled in a round below which tiered compilation
                               counts as settled (default 100)
          --drain-notices N    notices of the backlog-drain phase, 0 to skip it (default 1500)
          --raw-messages N     messages of the raw baseline (default 30000)
          --raw-batch N        publishes awaited per confirm batch in the baseline (default 500)
          --raw-body N         baseline message size in bytes (default 1500, about a NoticeSubmitted envelope)
          --citizens N         citizens with profiles the notices are spread over (default 1000)
          --skip-raw           no baseline (ratio not reported)
          --no-profile         no per-span timing (ActivityListener) during the steady run
          --prefetch N         override Messaging:PrefetchCount for every host
          --outbox-batch N     override Gateway:Outbox:BatchSize
          --smtp-pool N        override Email:Smtp:PoolSize
          --pg-auto-prepare N  "Max Auto Prepare=N" in the services' connection strings (default: the services' own, 32; 0 = off)
          --pg-durable         PostgreSQL as deployed (fsync, synchronous_commit, full_page_writes
                               on) instead of the test suites' non-durable cluster; the report
                               names the server's settings either way
          --pg-statements      load pg_stat_statements and report the statements PostgreSQL
                               spent the steady run on (calls and time per notice)
          --open-loop-seconds S  length of the open-loop phase, 0 to skip it (default 20)
          --open-loop-rate R   its arrival rate in notices/s (default half the steady end-to-end rate)
          --campaign-rows N    rows of the campaign phase, 0 to skip it (default 0; the issue's campaign: 100000
                               with --citizens 10000)
          --scale-out          phase (7): 2 gateways, 2 preferences, 2 email dispatchers as processes (tools/bench.sh
                               publishes them into artifacts/bench-services and sets NOTIFICHE_BENCH_SERVICES)
          --timeout MINUTES    give up waiting for deliveries after this long (default 10)
          -h, --help           this text
        """;

    public static BenchOptions? Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "-h" or "--help": return null;
                case "--clients": o.Clients = Int(); break;
                case "--notices": o.Notices = Int(); break;
                case "--warmup": o.Warmup = Int(); break;
                case "--warmup-max": o.WarmupMax = Int(); break;
                case "--warmup-settled": o.WarmupSettled = Int(); break;
                case "--drain-notices": o.DrainNotices = Int(); o.SkipDrain = o.DrainNotices == 0; break;
                case "--raw-messages": o.RawMessages = Int(); break;
                case "--raw-batch": o.RawBatch = Int(); break;
                case "--raw-body": o.RawBodyBytes = Int(); break;
                case "--citizens": o.Citizens = Int(); break;
                case "--skip-raw": o.SkipRaw = true; break;
                case "--no-profile": o.Profile = false; break;
                case "--prefetch": o.Prefetch = Int(); break;
                case "--outbox-batch": o.OutboxBatch = Int(); break;
                case "--smtp-pool": o.SmtpPoolSize = Int(); break;
                case "--pg-auto-prepare": o.PgAutoPrepare = Int(); break;
                case "--pg-durable": o.PgDurable = true; break;
                case "--pg-statements": o.PgStatements = true; break;
                case "--open-loop-seconds": o.OpenLoopSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--open-loop-rate": o.OpenLoopRate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--campaign-rows": o.CampaignRows = Int(); break;
                case "--scale-out": o.ScaleOut = true; break;
                case "--timeout": o.Timeout = TimeSpan.FromMinutes(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (o.Clients < 1 || o.Notices < 1 || o.Citizens < 1 || o.RawBatch < 1)
        {
            throw new ArgumentException("--clients, --notices, --citizens and --raw-batch must be positive");
        }

        if (o.OpenLoopSeconds < 0 || o.OpenLoopRate is <= 0)
        {
            throw new ArgumentException("--open-loop-seconds may not be negative and --open-loop-rate must be positive");
        }

        return o;
    }
}
