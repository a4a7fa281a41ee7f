using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Notifiche.Benchmark;
using Notifiche.Testing;
using Npgsql;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}\n");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options is null)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Console.WriteLine("interrupted: stopping the hosts ...");
    cts.Cancel();
};
// SIGTERM too (the test-server runner passes a stop on as SIGTERM): the service processes of the scale-out phase are
// stopped and the vhosts and databases dropped on the way out, as after Ctrl-C.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    Console.WriteLine("terminated: stopping the hosts ...");
    cts.Cancel();
});

try
{
    return await new Benchmark(options).RunAsync(cts.Token);
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    return 130;
}

namespace Notifiche.Benchmark
{
    internal sealed partial class Benchmark(BenchOptions o)
    {
        private readonly StringBuilder _summary = new();

        private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

        private void Report(string line)
        {
            Console.WriteLine(line);
            _summary.AppendLine(line);
        }

        /// <summary>Whether commits reach the disk on the benchmark's server (<c>--pg-durable</c>), as the server says.</summary>
        private static async Task<string> PostgresDurabilityAsync(CancellationToken ct)
        {
            await using var connection = new NpgsqlConnection(TestEnvironment.PostgresAdmin);
            await connection.OpenAsync(ct);
            var settings = new List<string>();
            foreach (var name in new[] { "fsync", "synchronous_commit", "full_page_writes" })
            {
                await using var command = new NpgsqlCommand($"SHOW {name}", connection);
                settings.Add($"{name}={await command.ExecuteScalarAsync(ct)}");
            }

            var durable = settings.All(s => s.EndsWith("=on", StringComparison.Ordinal));
            return $"{(durable ? "durable" : "NOT durable (as the test suites run it; --pg-durable for the deployment's settings)")}: {string.Join(", ", settings)}";
        }

        private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

        public async Task<int> RunAsync(CancellationToken ct)
        {
            // Checked first: a run without the services' publish would fail only after the other phases' minutes.
            string? services = null;
            if (o.ScaleOut)
            {
                try
                {
                    services = ScaleOutPlatform.ServicesDirectory();
                }
                catch (InvalidOperationException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return 2;
                }
            }

            var pgPort = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin).Port;
            await using var meter = new ProcessMeter(TestEnvironment.RabbitMqPort, pgPort);
            Console.WriteLine($"Notifiche benchmark — {DateTime.Now:yyyy-MM-dd HH:mm}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
            Console.WriteLine($"  options: clients={o.Clients} notices={o.Notices} warmup={o.Warmup}..{Math.Max(o.Warmup, o.WarmupMax)} drain={(o.SkipDrain ? 0 : o.DrainNotices)} citizens={o.Citizens} " +
                $"prefetch={o.Prefetch?.ToString() ?? "default"} outbox-batch={o.OutboxBatch?.ToString() ?? "default"} smtp-pool={o.SmtpPoolSize?.ToString() ?? "default"} " +
                $"pg-auto-prepare={o.PgAutoPrepare?.ToString() ?? "service default"}");
            var durability = await PostgresDurabilityAsync(ct);
            Console.WriteLine($"  postgresql: {durability}");
            if (o.PgDurable && !durability.StartsWith("durable", StringComparison.Ordinal))
            {
                Console.Error.WriteLine("--pg-durable, but the server was started without durability: run the benchmark through tools/bench.sh");
                return 2;
            }

            if (!meter.FoundServers)
            {
                Console.WriteLine("  (RabbitMQ/PostgreSQL processes not found by port: their CPU is not counted)");
            }

            // (1) Raw baseline ---------------------------------------------------------------------------------------
            RawBaseline.Result? raw = null;
            if (!o.SkipRaw)
            {
                Console.WriteLine($"\n[1] raw RabbitMQ baseline: {o.RawMessages:N0} persistent {o.RawBodyBytes}-byte messages, confirms in batches of {o.RawBatch}, one quorum queue, one consumer, manual acks");
                var vhost = await RabbitMqTestVhost.CreateAsync("bench-raw");
                try
                {
                    var cpu0 = meter.CpuSeconds();
                    raw = await RawBaseline.RunAsync(vhost, o.RawMessages, o.RawBatch, o.RawBodyBytes, 200, ct);
                    var cpu = meter.CpuSeconds() - cpu0;
                    Console.WriteLine($"  raw: {raw.Rate:N0} msg/s ({raw.Messages:N0} in {raw.Seconds:N1} s; publishing+confirms took {raw.PublishSeconds:N1} s); " +
                        $"CPU s: bench {cpu.Self:N1}, rabbitmq {cpu.Rabbit:N1}");
                }
                finally
                {
                    await vhost.DisposeAsync();
                }
            }

            // (2) Platform -------------------------------------------------------------------------------------------
            Console.WriteLine("\n[2] starting gateway, preferences, email dispatcher (RabbitMQ + PostgreSQL, in-process SMTP sink) ...");
            var startedAt = Stopwatch.GetTimestamp();
            await using var platform = await BenchPlatform.StartAsync(o);
            var target = platform.Target;
            Console.WriteLine($"  hosts up in {Stopwatch.GetElapsedTime(startedAt).TotalSeconds:N1} s (gateway {target.GatewayAddress}, SMTP sink :{target.Smtp.Port})");
            using var profiler = o.Profile ? new SpanProfiler() : null;

            using var http = new HttpClient(new SocketsHttpHandler
            {
                // Room for the open-loop phase, whose requests do not wait for each other.
                MaxConnectionsPerServer = o.Clients + 256,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
                UseProxy = false,
            })
            { Timeout = TimeSpan.FromSeconds(60) };
            var apiKey = await target.RegisterServiceAsync("bench-tributi");
            var citizens = LoadDriver.MakeCitizens(o.Citizens);
            await CreateProfilesAsync(http, target, citizens, ct);

            var driver = new LoadDriver(http, target.GatewayAddresses, apiKey, citizens);
            var sink = target.Smtp.Received;
            var all = new List<Submission>();

            // Warm-up ------------------------------------------------------------------------------------------------
            // A service runs for days; its first minutes, while tiered compilation promotes the hot code (about 11,000
            // methods for these three hosts), are not what a notice costs. So the warm-up goes on in rounds until a round
            // compiles almost nothing (or --warmup-max), and the steady run says how much was still compiled in it.
            var warmed = 0;
            if (o.Warmup > 0)
            {
                Console.WriteLine($"\n[3] warm-up: {o.Warmup:N0} notices, then rounds of {BenchOptions.WarmupRound} until one compiles fewer than " +
                    $"{o.WarmupSettled} methods, at most {Math.Max(o.Warmup, o.WarmupMax):N0} notices (not measured)");
                var size = o.Warmup;
                while (true)
                {
                    var methods0 = System.Runtime.JitInfo.GetCompiledMethodCount();
                    var warm = await driver.RunAsync("warm-up", warmed, size, o.Clients, () => string.Empty, ct);
                    all.AddRange(warm);
                    await WaitDeliveredAsync("warm-up", target, all, Stopwatch.GetTimestamp(), ct);
                    warmed += size;
                    var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - methods0;
                    Console.WriteLine($"  warm-up: {warmed:N0} notices delivered, {compiled:N0} methods compiled meanwhile");
                    size = Math.Min(BenchOptions.WarmupRound, o.WarmupMax - warmed);
                    if (compiled < o.WarmupSettled || size <= 0)
                    {
                        break;
                    }
                }
            }

            // (3) Steady run -----------------------------------------------------------------------------------------
            Console.WriteLine($"\n[3] steady run: {o.Notices:N0} notices, {o.Clients} concurrent clients");
            meter.ResetPeaks();
            profiler?.Start();
            var steadyCpu0 = meter.CpuSeconds();
            var alloc0 = GC.GetTotalAllocatedBytes();
            var gen0 = GC.CollectionCount(0);
            var gen2 = GC.CollectionCount(2);
            var gcPause0 = GC.GetTotalPauseDuration();
            var jit0 = System.Runtime.JitInfo.GetCompilationTime();
            var writes0 = await TableWritesAsync(target);
            if (o.PgStatements)
            {
                await StatementsAsync(target, reset: true);
            }
            var jitMethods0 = System.Runtime.JitInfo.GetCompiledMethodCount();
            var exceptions = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            var countExceptions = true;
            AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
            {
                if (Volatile.Read(ref countExceptions))
                {
                    exceptions.AddOrUpdate(e.Exception.GetType().Name, 1, (_, n) => n + 1);
                }
            };
            var steadyStart = Stopwatch.GetTimestamp();
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var queuePeaks = SampleQueueDepthsAsync(target, sampling.Token);
            var steady = await driver.RunAsync("steady", warmed, o.Notices, o.Clients,
                () => $", {sink.Count - warmed:N0} delivered at the SMTP sink", ct);
            all.AddRange(steady);
            var steadyDb = await WaitDeliveredAsync("steady", target, all, steadyStart, ct);
            var steadyCpu = meter.CpuSeconds() - steadyCpu0;
            await sampling.CancelAsync();
            var peakQueues = await queuePeaks;
            var allocated = GC.GetTotalAllocatedBytes() - alloc0;
            var gcs = (Gen0: GC.CollectionCount(0) - gen0, Gen2: GC.CollectionCount(2) - gen2, Paused: GC.GetTotalPauseDuration() - gcPause0);
            var jitSeconds = (System.Runtime.JitInfo.GetCompilationTime() - jit0).TotalSeconds;
            var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods0;
            Volatile.Write(ref countExceptions, false);
            profiler?.Stop();
            var steadyPeaks = (meter.PeakSelfBytes, meter.PeakSelfGcHeapBytes, meter.PeakRabbitBytes, meter.PeakPostgresBytes);

            var accepted = steady.Where(s => s.Status == 201).ToList();
            var firstStart = steady.Min(s => s.Start);
            var lastAccept = accepted.Count > 0 ? accepted.Max(s => s.End) : firstStart;
            var acceptedPerSecond = accepted.Count / (Ms(firstStart, lastAccept) / 1000);
            var sinkTimes = accepted.Select(s => sink.TryGetValue(s.Id, out var r) ? r.FirstAt : (long?)null).ToList();
            var lastSink = sinkTimes.Where(t => t is not null).Select(t => t!.Value).DefaultIfEmpty(firstStart).Max();
            var e2eSink = accepted.Count / (Ms(firstStart, lastSink) / 1000);
            var e2eDb = accepted.Count / (Ms(firstStart, steadyDb) / 1000);
            var acceptLatency = accepted.Select(s => Ms(s.Start, s.End)).ToList();
            var sentLatency = accepted.Zip(sinkTimes).Where(p => p.Second is not null).Select(p => Ms(p.First.End, p.Second!.Value)).ToList();

            // (4) Open loop at a fixed arrival rate --------------------------------------------------------------------
            (double Rate, List<double> Accept, List<double> Sent, int Accepted, int Offered)? open = null;
            if (o.OpenLoopSeconds > 0)
            {
                var rate = o.OpenLoopRate ?? Math.Max(1, e2eDb / 2);
                var count = Math.Max(1, (int)(rate * o.OpenLoopSeconds));
                Console.WriteLine($"\n[4] open loop: {count:N0} notices at {rate:N0}/s ({(o.OpenLoopRate is null ? "half the steady end-to-end rate" : "--open-loop-rate")})");
                var openStart = Stopwatch.GetTimestamp();
                var offered = await driver.RunOpenLoopAsync("open loop", warmed + o.Notices, count, rate, ct);
                all.AddRange(offered);
                await WaitDeliveredAsync("open loop", target, all, openStart, ct);
                var ok201 = offered.Where(s => s.Status == 201).ToList();
                open = (rate, [.. ok201.Select(s => Ms(s.Start, s.End))],
                    [.. ok201.Select(s => sink.TryGetValue(s.Id, out var r) ? Ms(s.End, r.FirstAt) : (double?)null).Where(v => v is not null).Select(v => v!.Value)],
                    ok201.Count, offered.Length);
            }

            // (5) Backlog drain -------------------------------------------------------------------------------------
            (int Count, double Seconds, double FromFirstSeconds, double FillSeconds)? drain = null;
            if (!o.SkipDrain && o.DrainNotices > 0)
            {
                Console.WriteLine($"\n[5] backlog drain: email dispatcher stopped, {o.DrainNotices:N0} notices accepted and routed, then the dispatcher is started");
                await platform.StopEmailDispatcherAsync();
                var fillStart = Stopwatch.GetTimestamp();
                var backlog = await driver.RunAsync("backlog", all.Count, o.DrainNotices, o.Clients, () => string.Empty, ct);
                all.AddRange(backlog);
                var backlogAccepted = backlog.Where(s => s.Status == 201).ToList();
                await WaitRoutedAsync(target, all.Count(s => s.Status == 201), ct);
                var fillSeconds = Stopwatch.GetElapsedTime(fillStart).TotalSeconds;
                var drainStart = Stopwatch.GetTimestamp();
                await platform.StartEmailDispatcherAsync();
                var drainDone = await WaitDeliveredAsync("drain", target, all, drainStart, ct);
                var firstDrained = backlogAccepted.Select(s => sink.TryGetValue(s.Id, out var r) ? r.FirstAt : long.MaxValue).Min();
                var lastDrained = backlogAccepted.Select(s => sink.TryGetValue(s.Id, out var r) ? r.FirstAt : 0).Max();
                drain = (backlogAccepted.Count, Ms(drainStart, drainDone) / 1000, Ms(firstDrained, lastDrained) / 1000, fillSeconds);
            }

            // (4) Reconciliation -------------------------------------------------------------------------------------
            var reconciliation = await ReconcileAsync(target, all);
            var writes = DescribeWrites(writes0, await TableWritesAsync(target), reconciliation.Accepted - warmed);
            var statements = o.PgStatements ? await StatementsAsync(target, reset: false) : [];

            // (6) A campaign, single notices timed meanwhile ---------------------------------------------------------------
            CampaignPhase.Result? campaign = null;
            if (o.CampaignRows > 0)
            {
                Console.WriteLine($"\n[6] campaign: {o.CampaignRows:N0} rows over {o.Citizens:N0} citizens (CSV upload), a single notice every second meanwhile");
                campaign = await CampaignPhase.RunAsync(http, target, apiKey, driver, citizens, o.CampaignRows, all.Count + 1_000_000,
                    async token => await SampleQueueDepthsAsync(target, token), o.Timeout, ct);
            }

            // (7) Two of each service as processes ----------------------------------------------------------------------
            ScaleOutResult? scaleOut = null;
            if (services is not null)
            {
                // The in-process hosts stop first: idle, their timers and pollers would count as the load generator's CPU.
                await platform.DisposeAsync();
                scaleOut = await RunScaleOutAsync(http, meter, citizens, services, ct);
            }

            // Report ---------------------------------------------------------------------------------------------------
            Report($"\n==================== RESULTS ({DateTime.Now:yyyy-MM-dd HH:mm}, {Environment.ProcessorCount} cores, load average now {LoadAverage()}) ====================");
            if (raw is not null)
            {
                Report($"raw RabbitMQ baseline          {raw.Rate,10:N0} msg/s   (persistent, confirms, 1 quorum queue, 1 consumer, manual acks, {o.RawBodyBytes} B)");
            }

            Report($"accepted at the gateway        {acceptedPerSecond,10:N0} notices/s  ({accepted.Count:N0} × 201 of {steady.Length:N0}: {LoadDriver.Describe(steady)})");
            Report($"end to end (accepted → SENT)   {e2eDb,10:N0} notices/s  (status SENT in the gateway DB; at the SMTP sink: {e2eSink:N0}/s)");
            if (raw is not null)
            {
                Report($"ratio end-to-end / raw         {e2eDb / raw.Rate,10:P1}     (goal ≥ 25%)");
            }

            Report($"accept latency ms              p50 {P(acceptLatency, .50),7:N1}  p95 {P(acceptLatency, .95),7:N1}  p99 {P(acceptLatency, .99),7:N1}  max {acceptLatency.DefaultIfEmpty().Max(),7:N1}");
            Report($"accepted → sent latency ms     p50 {P(sentLatency, .50),7:N1}  p95 {P(sentLatency, .95),7:N1}  p99 {P(sentLatency, .99),7:N1}  max {sentLatency.DefaultIfEmpty().Max(),7:N1}  (201 received → message at the SMTP sink)");
            if (open is { } ol)
            {
                Report($"open loop at {ol.Rate,6:N0}/s         {ol.Accepted:N0} × 201 of {ol.Offered:N0} offered; accept latency ms p50 {P(ol.Accept, .50):N1} p99 {P(ol.Accept, .99):N1}; " +
                    $"accepted → sent ms p50 {P(ol.Sent, .50):N1} p99 {P(ol.Sent, .99):N1} (from each request's scheduled time)");
            }

            var perNotice = 1000.0 / Math.Max(1, accepted.Count);
            Report($"CPU during the steady run      bench process {steadyCpu.Self,6:N1} s, rabbitmq {steadyCpu.Rabbit,6:N1} s, postgresql {steadyCpu.Postgres,6:N1} s over {Ms(firstStart, steadyDb) / 1000:N1} s wall");
            Report($"CPU per notice                 {steadyCpu.Total * perNotice,6:N2} ms total = .NET hosts+load {steadyCpu.Self * perNotice:N2} + rabbitmq {steadyCpu.Rabbit * perNotice:N2} + postgresql {steadyCpu.Postgres * perNotice:N2}" +
                $"  → CPU-bound ceiling on {Environment.ProcessorCount} cores ≈ {Environment.ProcessorCount * 1000 / Math.Max(0.001, steadyCpu.Total * perNotice):N0} notices/s");
            Report($"peak memory (steady run)       bench process (3 hosts + load + sink) {steadyPeaks.PeakSelfBytes / 1048576.0:N0} MB RSS, GC heap {steadyPeaks.PeakSelfGcHeapBytes / 1048576.0:N0} MB; rabbitmq {steadyPeaks.PeakRabbitBytes / 1048576.0:N0} MB; postgresql {steadyPeaks.PeakPostgresBytes / 1048576.0:N0} MB");
            Report($"allocations                    {allocated / (double)Math.Max(1, accepted.Count) / 1024:N0} KB per notice (all hosts + load generator), GCs gen0 {gcs.Gen0}, gen2 {gcs.Gen2}, paused {gcs.Paused.TotalMilliseconds:N0} ms in all");
            Report($"first request → last SENT      {Ms(firstStart, steadyDb) / 1000:N1} s for {accepted.Count:N0} notices to {o.Citizens:N0} citizens");
            Report($"peak queue depths (steady run) {(peakQueues.Count == 0 ? "none above 0" : string.Join(", ", peakQueues.OrderByDescending(q => q.Value).Select(q => $"{q.Key} {q.Value:N0}")))} (management API, sampled every second; its figures lag ~1 s)");
            Report($"rows written per notice ≈      {writes} (steady run to the end, from pg_stat_user_tables)");
            if (o.PgStatements)
            {
                var total = statements.Sum(st => st.Milliseconds);
                Report($"PostgreSQL statements          {total / Math.Max(1, accepted.Count):N3} ms of execution per notice in all (pg_stat_statements; the steady run to the end; the most expensive first):");
                foreach (var st in statements.Take(15))
                {
                    Report($"  {st.Milliseconds / Math.Max(1, accepted.Count),7:N3} ms {st.Milliseconds / Math.Max(0.001, total),5:P0}  {st.Calls / (double)Math.Max(1, accepted.Count),5:N2} calls  {st.Rows / (double)Math.Max(1, st.Calls),6:N1} rows/call  {st.Database}: {st.Query}");
                }
            }

            Report($"JIT during the steady run      {jitMethods:N0} methods compiled after a warm-up of {warmed:N0} notices ({jitSeconds:N1} s of compile time summed over threads, wall clock, not CPU)");
            Report($"first-chance exceptions        {(exceptions.IsEmpty ? "none" : string.Join(", ", exceptions.OrderByDescending(e => e.Value).Select(e => $"{e.Key}×{e.Value}")))} during the steady run");
            if (drain is { } d)
            {
                Report($"backlog drain                  {d.Count / d.Seconds,10:N0} notices/s  ({d.Count:N0} queued in send-email; dispatcher start → all SENT {d.Seconds:N1} s; first → last email {d.Count / Math.Max(0.001, d.FromFirstSeconds):N0}/s); steady e2e {e2eDb:N0}/s");
            }

            Report($"reconciliation                 {reconciliation}");
            if (campaign is { } c)
            {
                Report($"campaign                       {c.RowsPerSecond,10:N0} notices/s  ({c.Rows:N0} rows, upload 202 in {c.UploadSeconds:N1} s, upload → last SENT {c.Seconds:N1} s; " +
                    $"admitted {c.Admitted:N0}, sent {c.Sent:N0}, failed {c.Failed:N0}){(c.TimedOut ? " TIMED OUT" : string.Empty)}");
                Report($"single notice, 201 → SENT ms   before the campaign p50 {P(c.SingleBefore, .50):N0} max {c.SingleBefore.DefaultIfEmpty().Max():N0} ({c.SingleBefore.Count}); " +
                    $"during it p50 {P(c.SingleDuring, .50):N0} p95 {P(c.SingleDuring, .95):N0} max {c.SingleDuring.DefaultIfEmpty().Max():N0} ({c.SingleDuring.Count}, one a second)");
                Report($"peak queue depths (campaign)   {(c.PeakQueues.Count == 0 ? "none above 0" : string.Join(", ", c.PeakQueues.OrderByDescending(q => q.Value).Select(q => $"{q.Key} {q.Value:N0}")))}");
                Report($"campaign reconciliation        lost {c.CampaignLost}, duplicates {c.CampaignDuplicates}, single notices not delivered {c.SinglesLost}");
            }

            if (scaleOut is { } so)
            {
                var perScaleOutNotice = 1000.0 / Math.Max(1, so.Accepted);
                var groups = so.Cpu;
                Report($"scale-out ({ScaleOutPlatform.Instances} gw, {ScaleOutPlatform.Instances} prefs, {ScaleOutPlatform.Instances} email; processes)  " +
                    $"{so.EndToEndPerSecond:N0} notices/s end to end (accepted → SENT), accepted {so.AcceptedPerSecond:N0}/s " +
                    $"({so.Accepted:N0} × 201 of {so.Steady.Length:N0}: {LoadDriver.Describe(so.Steady)}); accept latency ms p50 {P(so.AcceptLatency, .50):N1} p99 {P(so.AcceptLatency, .99):N1}; " +
                    $"first request → last SENT {so.Seconds:N1} s; after a fixed warm-up of {so.Warmup:N0}");
                Report($"scale-out CPU per notice  {groups.Total * perScaleOutNotice:N2} ms total = gateways {groups.Group(ScaleOutPlatform.Gateways) * perScaleOutNotice:N2} " +
                    $"+ preferences {groups.Group(ScaleOutPlatform.Preferences) * perScaleOutNotice:N2} + email {groups.Group(ScaleOutPlatform.EmailDispatchers) * perScaleOutNotice:N2} " +
                    $"+ load/sink {groups.Self * perScaleOutNotice:N2} + rabbitmq {groups.Rabbit * perScaleOutNotice:N2} + postgresql {groups.Postgres * perScaleOutNotice:N2} " +
                    $"(of the services' share ≈ {so.JitSeconds * perScaleOutNotice:N2} tiered JIT: their compilation threads); " +
                    $"single instance in this run {steadyCpu.Total * perNotice:N2} ms = .NET hosts+load {steadyCpu.Self * perNotice:N2} + rabbitmq {steadyCpu.Rabbit * perNotice:N2} + postgresql {steadyCpu.Postgres * perNotice:N2}");
                var (rest, restSeconds) = (so.CpuAtRest, (double)ScaleOutRestSeconds);
                Report($"scale-out at rest  {rest.Total / restSeconds * 1000:N0} ms of CPU per second with no load = gateways {rest.Group(ScaleOutPlatform.Gateways) / restSeconds * 1000:N0} " +
                    $"+ preferences {rest.Group(ScaleOutPlatform.Preferences) / restSeconds * 1000:N0} + email {rest.Group(ScaleOutPlatform.EmailDispatchers) / restSeconds * 1000:N0} " +
                    $"+ load/sink {rest.Self / restSeconds * 1000:N0} + rabbitmq {rest.Rabbit / restSeconds * 1000:N0} + postgresql {rest.Postgres / restSeconds * 1000:N0} " +
                    $"({restSeconds:N0} s after the warm-up and {so.JitSettling.Seconds} s of their tiered JIT, {so.JitSettling.Cpu:N1} s of CPU; of it ≈ {so.JitSecondsAtRest / restSeconds * 1000:N0} still JIT): " +
                    $"without the JIT, at the steady rate ≈ {(rest.Total - so.JitSecondsAtRest) / restSeconds / Math.Max(1, so.EndToEndPerSecond) * 1000:N2} ms of the CPU per notice");
                Report($"scale-out peak RSS per process  {string.Join(", ", so.PeakRss.Select(p => $"{p.Name} {p.Bytes / 1048576.0:N0} MB"))} (steady run, sampled every 2 s)");
                Report($"scale-out work spread  {so.Spread}{(so.SpreadOk ? string.Empty : " — NOT every instance got work")}");
                Report($"scale-out reconciliation  {so.Reconciliation}");
            }

            var failed = new List<string>();
            if (!reconciliation.Ok)
            {
                failed.Add("single instance");
            }

            if (campaign is not null and not { CampaignLost: 0, CampaignDuplicates: 0, SinglesLost: 0, TimedOut: false })
            {
                failed.Add("campaign");
            }

            if (scaleOut is not null and not { Reconciliation.Ok: true, SpreadOk: true })
            {
                failed.Add(scaleOut.Reconciliation.Ok ? "scale-out work spread" : "scale-out");
            }

            var ok = failed.Count == 0;
            Report(ok ? $"reconciliation OK: every accepted notice SENT exactly once{(scaleOut is null ? string.Empty : " (single instance and scale-out)")}"
                : $"RECONCILIATION FAILED: {string.Join(", ", failed)}");

            if (profiler is not null)
            {
                PrintProfile(profiler, accepted.Count);
            }

            var outDir = Path.Combine(AppContext.BaseDirectory, "results");
            Directory.CreateDirectory(outDir);
            var file = Path.Combine(outDir, $"bench-{DateTime.Now:yyyyMMdd-HHmmss}.txt");
            await File.WriteAllTextAsync(file, _summary.ToString(), ct);
            Console.WriteLine($"\n(summary written to {file})\nstopping the hosts ...");
            return ok ? 0 : 1;
        }

        private void PrintProfile(SpanProfiler profiler, int notices)
        {
            Report("\n-------------------- profile of the steady run (spans the services emit; per notice = count / notices) --------------------");
            Report($"{"ms/notice",9} {"count/notice",12} {"mean ms",8} {"p95 ms",8}  span");
            foreach (var s in profiler.Snapshot().Take(40))
            {
                Report($"{s.TotalMs / notices,9:N2} {s.Count / (double)notices,12:N2} {s.MeanMs,8:N2} {s.P95Ms,8:N2}  {s.Name}");
            }

            var dbRoundTrips = profiler.Snapshot().Where(s => s.Name.StartsWith("db ", StringComparison.Ordinal)).Sum(s => s.Count);
            Report($"database commands per notice: {dbRoundTrips / (double)notices:N2}");
        }

        private static double P(List<double> values, double p)
        {
            if (values.Count == 0)
            {
                return double.NaN;
            }

            var sorted = values.Order().ToList();
            return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        }

        private static async Task CreateProfilesAsync(HttpClient http, BenchTarget target, IReadOnlyList<string> citizens, CancellationToken ct)
        {
            var started = Stopwatch.StartNew();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < citizens.Count)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(target.PreferencesAddress, $"/api/v1/profiles/{citizens[i]}"))
                    {
                        Content = JsonContent.Create(new
                        {
                            email = LoadDriver.EmailOf(citizens[i]), email_verified = true, language = "it",
                            channels = new { email = true, sms = false, push = false },
                        }),
                    };
                    request.Headers.Add("X-Api-Key", TestSettings.AppBackendKey);
                    using var response = await http.SendAsync(request, ct);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"PUT profile answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                    }
                }
            }, ct)));
            Console.WriteLine($"  {citizens.Count:N0} citizen profiles created in {started.Elapsed.TotalSeconds:N1} s");
        }

        /// <summary>Waits until every accepted notice so far is at the sink and SENT in the gateway DB; returns when the DB showed it.</summary>
        private async Task<long> WaitDeliveredAsync(string label, BenchTarget target, List<Submission> submissions, long since, CancellationToken ct)
        {
            var ids = submissions.Where(s => s.Status == 201).Select(s => s.Id).ToList();
            var deadline = Stopwatch.GetTimestamp() + (long)(o.Timeout.TotalSeconds * Stopwatch.Frequency);
            var lastReport = Stopwatch.GetTimestamp();
            await using var connection = new NpgsqlConnection(target.GatewayDatabase.ConnectionString);
            await connection.OpenAsync(ct);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM notice_channels WHERE status = 'SENT'", connection);
            while (true)
            {
                var sent = (long)(await count.ExecuteScalarAsync(ct))!;
                var now = Stopwatch.GetTimestamp();
                if (sent >= ids.Count && ids.All(target.Smtp.Received.ContainsKey))
                {
                    return now;
                }

                if (now > deadline)
                {
                    Console.WriteLine($"  {label}: TIMEOUT after {o.Timeout.TotalMinutes:N0} min: {sent:N0}/{ids.Count:N0} SENT in the DB");
                    return now;
                }

                if (Stopwatch.GetElapsedTime(lastReport).TotalSeconds >= 5)
                {
                    lastReport = now;
                    Console.WriteLine($"  {label}: waiting for deliveries: {target.Smtp.Received.Count:N0} at the sink, {sent:N0}/{ids.Count:N0} SENT in the gateway DB ({Stopwatch.GetElapsedTime(since).TotalSeconds:N0} s)");
                }

                await Task.Delay(100, ct);
            }
        }

        /// <summary>Backlog fill: waits until preferences routed every accepted notice (their SendEmail now waits in send-email).</summary>
        private async Task WaitRoutedAsync(BenchTarget target, int accepted, CancellationToken ct)
        {
            await using var connection = new NpgsqlConnection(target.GatewayDatabase.ConnectionString);
            await connection.OpenAsync(ct);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM notices WHERE status <> 'ACCEPTED'", connection);
            var deadline = Stopwatch.GetTimestamp() + (long)(o.Timeout.TotalSeconds * Stopwatch.Frequency);
            var lastReport = Stopwatch.GetTimestamp();
            while ((long)(await count.ExecuteScalarAsync(ct))! < accepted && Stopwatch.GetTimestamp() < deadline)
            {
                if (Stopwatch.GetElapsedTime(lastReport).TotalSeconds >= 5)
                {
                    lastReport = Stopwatch.GetTimestamp();
                    Console.WriteLine($"  backlog: waiting for routing, send-email holds {await target.Vhost.MessagesReadyAsync("send-email")} messages");
                }

                await Task.Delay(200, ct);
            }

            Console.WriteLine($"  backlog: all routed; send-email holds {await target.Vhost.MessagesReadyAsync("send-email")} ready messages (management stats lag ~1 s)");
        }

        /// <summary>Every accepted notice at the sink exactly once and SENT in the gateway DB, nothing left in the outbox or a dead-letter queue.</summary>
        private sealed record Reconciliation(int Accepted, int Lost, int Duplicates, long Strangers, long Sent, long NotSent, long NotProcessed, long Outbox, string DeadLetters)
        {
            public bool Ok => Lost == 0 && Duplicates == 0 && Sent == Accepted && Outbox == 0 && NotProcessed == 0 && DeadLetters == "0";

            public override string ToString() =>
                $"accepted {Accepted:N0}, lost {Lost}, duplicates {Duplicates}, unexpected at sink {Strangers}; " +
                $"gateway DB: SENT {Sent:N0}, other channel states {NotSent}, notices not PROCESSED {NotProcessed}, outbox rows left {Outbox}; dead letters {DeadLetters}";
        }

        private static async Task<Reconciliation> ReconcileAsync(BenchTarget target, IEnumerable<Submission> submissions)
        {
            var sink = target.Smtp.Received;
            var accepted = submissions.Where(s => s.Status == 201).Select(s => s.Id).ToHashSet();
            await using var connection = new NpgsqlConnection(target.GatewayDatabase.ConnectionString);
            await connection.OpenAsync();
            async Task<long> Scalar(string sql)
            {
                await using var command = new NpgsqlCommand(sql, connection);
                return (long)(await command.ExecuteScalarAsync())!;
            }

            return new Reconciliation(
                accepted.Count,
                accepted.Count(id => !sink.ContainsKey(id)),
                sink.Where(kv => accepted.Contains(kv.Key)).Sum(kv => kv.Value.Count - 1),
                sink.Keys.Count(id => !accepted.Contains(id)) + target.Smtp.MessagesWithoutNoticeId,
                await Scalar("SELECT count(*) FROM notice_channels WHERE status = 'SENT'"),
                await Scalar("SELECT count(*) FROM notice_channels WHERE status <> 'SENT'"),
                await Scalar("SELECT count(*) FROM notices WHERE status <> 'PROCESSED'"),
                await Scalar("SELECT count(*) FROM outbox"),
                await DeadLettersAsync(target));
        }

        /// <summary>Rows written so far per table of the target's databases (PostgreSQL's cumulative statistics).</summary>
        private static async Task<Dictionary<string, (long Ins, long Upd, long Hot, long Del)>> TableWritesAsync(BenchTarget target)
        {
            var writes = new Dictionary<string, (long, long, long, long)>();
            foreach (var (name, database) in new[] { ("gateway", target.GatewayDatabase), ("preferences", target.PreferencesDatabase), ("email", target.EmailDispatchDatabase) })
            {
                await using var connection = new NpgsqlConnection(database.ConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(
                    "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables WHERE relname NOT LIKE '%migrations%'", connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    writes[$"{name}.{reader.GetString(0)}"] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
                }
            }

            return writes;
        }

        /// <summary>
        /// Per notice: rows inserted, updated (of which HOT: no index entry written again), deleted, per table — what the
        /// database writes, independent of the machine's load. Backends report their statistics when idle (at most every
        /// second, and within 10 s), so the last second's figures may be missing: read as ≈.
        /// </summary>
        private static string DescribeWrites(Dictionary<string, (long Ins, long Upd, long Hot, long Del)> before,
            Dictionary<string, (long Ins, long Upd, long Hot, long Del)> after, int notices)
        {
            var lines = new List<string>();
            foreach (var (table, a) in after.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                var b = before.GetValueOrDefault(table);
                var (ins, upd, hot, del) = (a.Ins - b.Ins, a.Upd - b.Upd, a.Hot - b.Hot, a.Del - b.Del);
                if (ins + upd + del == 0)
                {
                    continue;
                }

                double N(long v) => v / (double)Math.Max(1, notices);
                lines.Add($"{table} ins {N(ins):N2} upd {N(upd):N2}{(upd > 0 ? $" (HOT {hot / (double)upd:P0})" : "")} del {N(del):N2}");
            }

            return string.Join("; ", lines);
        }

        /// <summary>
        /// pg_stat_statements over the whole cluster (the extension is created in the gateway's database; the view covers every
        /// database): reset at the steady run's start, read at its end, the most expensive statements first.
        /// </summary>
        private static async Task<List<(string Database, string Query, long Calls, double Milliseconds, long Rows)>> StatementsAsync(BenchTarget target, bool reset)
        {
            await using var connection = new NpgsqlConnection(target.GatewayDatabase.ConnectionString);
            await connection.OpenAsync();
            try
            {
                await using var command = new NpgsqlCommand(reset
                    ? "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();"
                    : """
                      SELECT d.datname, left(regexp_replace(s.query, '\s+', ' ', 'g'), 140), s.calls, s.total_exec_time + s.total_plan_time, s.rows
                      FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                      WHERE s.query NOT LIKE '%pg_stat%' ORDER BY 4 DESC
                      """, connection);
                await using var reader = await command.ExecuteReaderAsync();
                var statements = new List<(string, string, long, double, long)>();
                while (!reset && await reader.ReadAsync())
                {
                    statements.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetInt64(4)));
                }

                return statements;
            }
            catch (PostgresException e) when (e.SqlState is "55000" or "58P01")
            {
                throw new InvalidOperationException("--pg-statements, but the server did not load pg_stat_statements: run the benchmark through tools/bench.sh", e);
            }
        }

        /// <summary>The most messages each queue of the target's vhost held while the steady run lasted (issue 15's campaign figures).</summary>
        /// <summary>Seconds of a phase whose queue depths are not sampled (<see cref="SampleQueueDepthsAsync"/>).</summary>
        private const int StaleSamples = 3;

        private static async Task<Dictionary<string, long>> SampleQueueDepthsAsync(BenchTarget target, CancellationToken ct)
        {
            var peaks = new Dictionary<string, long>();
            using var api = ManagementApi();
            // The first samples of a phase are not counted: a queue that was idle before it still shows the depth the
            // management API last had from it, up to the previous phase's peak, until its next stats emission (seen: the
            // campaign's "peaks" equal to the steady run's, send-email 351 and 717 right after the backlog drain).
            var sample = 0;
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    try
                    {
                        foreach (var (name, messages, _) in sample++ < StaleSamples ? [] : await QueuesAsync(api, target, ct))
                        {
                            if (messages > peaks.GetValueOrDefault(name))
                            {
                                peaks[name] = messages;
                            }
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // A sample the busy management API did not answer: the next one counts.
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
            }
            catch (OperationCanceledException)
            {
            }

            return peaks;
        }

        private static HttpClient ManagementApi()
        {
            var api = new HttpClient { BaseAddress = new Uri($"http://{TestEnvironment.RabbitMqHost}:{TestEnvironment.RabbitMqManagementPort}/api/") };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestEnvironment.RabbitMqUser}:{TestEnvironment.RabbitMqPassword}")));
            return api;
        }

        private static async Task<List<(string Name, long Messages, long Consumers)>> QueuesAsync(HttpClient api, BenchTarget target, CancellationToken ct)
        {
            using var json = JsonDocument.Parse(await api.GetStringAsync($"queues/{Uri.EscapeDataString(target.Vhost.Name)}", ct));
            return [.. json.RootElement.EnumerateArray().Select(q => (Name: q.GetProperty("name").GetString()!, Messages: Number(q, "messages"), Consumers: Number(q, "consumers")))];

            static long Number(JsonElement queue, string name) => queue.TryGetProperty(name, out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt64() : 0;
        }

        /// <summary>Messages left in any <c>_error</c> or <c>_skipped</c> queue of the target's vhost.</summary>
        private static async Task<string> DeadLettersAsync(BenchTarget target)
        {
            using var api = ManagementApi();
            var bad = (await QueuesAsync(api, target, CancellationToken.None))
                .Where(q => (q.Name.EndsWith("_error", StringComparison.Ordinal) || q.Name.EndsWith("_skipped", StringComparison.Ordinal)) && q.Messages > 0)
                .Select(q => $"{q.Name}={q.Messages}").ToList();
            return bad.Count == 0 ? "0" : string.Join(", ", bad);
        }
    }
}
