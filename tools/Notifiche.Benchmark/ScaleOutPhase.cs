using System.Diagnostics;
using Notifiche.Messaging;

namespace Notifiche.Benchmark;

/// <summary>
/// Phase (7), <c>--scale-out</c> (issue 15, "Also"): the platform as two gateways, two preferences and two email
/// dispatchers in processes of their own on one RabbitMQ and PostgreSQL (<see cref="ScaleOutPlatform"/>), driven like the
/// steady run with the load round-robin over both gateways; its CPU per notice by group of processes, each process's peak
/// RSS, how the work spread over the instances, and a reconciliation of its own.
/// </summary>
internal sealed partial class Benchmark
{
    /// <summary>The least warm-up of the scale-out layout: fixed, since the processes' JIT cannot be watched settling from here.</summary>
    private const int ScaleOutWarmup = 3_000;

    /// <summary>How long the layout's CPU is measured at rest, after the warm-up.</summary>
    private const int ScaleOutRestSeconds = 5;

    /// <summary>The child processes' tiered JIT counts as done when their compilation threads use less CPU than this in a second.</summary>
    private const double JitQuietSecondsPerSecond = 0.05;

    /// <summary>The longest wait for the child processes' tiered JIT to finish after the warm-up.</summary>
    private const int JitSettleMaxSeconds = 60;

    /// <summary>The queues each step of the pipeline is consumed from: each should have one consumer per instance.</summary>
    private static readonly string[] PipelineQueues =
        [EventQueues.NoticeSubmitted, EventQueues.NoticeRouted, CommandQueues.SendEmail, EventQueues.NotificationSent];

    private sealed record ScaleOutResult(
        int Warmup, Submission[] Steady, int Accepted, double AcceptedPerSecond, double EndToEndPerSecond, double Seconds, List<double> AcceptLatency,
        ProcessMeter.Cpu Cpu, double JitSeconds, (int Seconds, double Cpu) JitSettling, ProcessMeter.Cpu CpuAtRest, double JitSecondsAtRest,
        IReadOnlyList<(string Name, long Bytes)> PeakRss, string Spread, bool SpreadOk, Reconciliation Reconciliation);

    private async Task<ScaleOutResult> RunScaleOutAsync(HttpClient http, ProcessMeter meter, IReadOnlyList<string> citizens, string services, CancellationToken ct)
    {
        Console.WriteLine($"\n[7] scale-out: {ScaleOutPlatform.Instances} gateways, {ScaleOutPlatform.Instances} preferences, {ScaleOutPlatform.Instances} email dispatchers " +
            $"as separate processes (from {services}) on a fresh vhost and databases; the in-process hosts are stopped");
        var startedAt = Stopwatch.GetTimestamp();
        await using var platform = await ScaleOutPlatform.StartAsync(o, services);
        try
        {
            foreach (var (group, process) in platform.Processes)
            {
                meter.Watch(group, process.Label, process.ProcessId ?? 0);
            }

            Console.WriteLine($"  {platform.Processes.Count} processes up in {Stopwatch.GetElapsedTime(startedAt).TotalSeconds:N1} s " +
                $"({string.Join(", ", platform.Processes.Select(p => $"{p.Process.Label} pid {p.Process.ProcessId}"))}); their logs in {platform.LogDirectory}");
            Console.WriteLine($"  {platform.DescribeRuntime(services)}");
            var target = platform.Target;
            var sink = target.Smtp;
            var apiKey = await target.RegisterServiceAsync("bench-tributi");
            await CreateProfilesAsync(http, target, citizens, ct);
            var driver = new LoadDriver(http, target.GatewayAddresses, apiKey, citizens);
            var all = new List<Submission>();

            var warmup = Math.Max(o.Warmup, ScaleOutWarmup);
            Console.WriteLine($"  warm-up: {warmup:N0} notices, a fixed number: the child processes' compiled methods cannot be counted from here, as this " +
                "process's are; then a wait until their tiered-compilation threads, whose CPU can be read, go quiet (not measured)");
            all.AddRange(await driver.RunAsync("scale-out warm-up", 0, warmup, o.Clients, () => string.Empty, ct));
            await WaitDeliveredAsync("scale-out warm-up", target, all, Stopwatch.GetTimestamp(), ct);

            var jitSettling = await SettleJitAsync(meter, ct);
            Console.WriteLine($"  their tiered JIT after the warm-up: {jitSettling.Cpu:N1} s of CPU in {jitSettling.Seconds} s, until their compilation threads went quiet");

            // What the layout burns with no load (sweeps, timers, pollers, the broker's statistics): at a lower rate the same
            // fixed cost weighs more per notice, so the report gives it beside the CPU per notice.
            var (rest0, restJit0) = (meter.CpuSeconds(), meter.ChildJitSeconds());
            await Task.Delay(TimeSpan.FromSeconds(ScaleOutRestSeconds), ct);
            var (atRest, restJit) = (meter.CpuSeconds() - rest0, meter.ChildJitSeconds() - restJit0);

            Console.WriteLine($"  steady run: {o.Notices:N0} notices, {o.Clients} concurrent clients round-robin over {target.GatewayAddresses.Count} gateways");
            meter.ResetPeaks();
            var byConnection0 = sink.MessagesByClientPort;
            var (cpu0, jit0) = (meter.CpuSeconds(), meter.ChildJitSeconds());
            var steady = await driver.RunAsync("scale-out steady", warmup, o.Notices, o.Clients,
                () => $", {sink.Received.Count - warmup:N0} delivered at the SMTP sink", ct);
            all.AddRange(steady);
            var firstStart = steady.Min(s => s.Start);
            var done = await WaitDeliveredAsync("scale-out steady", target, all, firstStart, ct);
            var (cpu, jit) = (meter.CpuSeconds() - cpu0, meter.ChildJitSeconds() - jit0);
            var peakRss = meter.PeakChildBytes;

            var accepted = steady.Where(s => s.Status == 201).ToList();
            var lastAccept = accepted.Count > 0 ? accepted.Max(s => s.End) : firstStart;
            var (spread, spreadOk) = await DescribeSpreadAsync(platform, accepted, byConnection0, cpu, ct);
            return new ScaleOutResult(
                warmup, steady, accepted.Count, accepted.Count / Stopwatch.GetElapsedTime(firstStart, lastAccept).TotalSeconds,
                accepted.Count / Stopwatch.GetElapsedTime(firstStart, done).TotalSeconds, Stopwatch.GetElapsedTime(firstStart, done).TotalSeconds,
                [.. accepted.Select(s => Ms(s.Start, s.End))], cpu, jit, jitSettling, atRest, restJit, peakRss, spread, spreadOk, await ReconcileAsync(target, all));
        }
        finally
        {
            // Before the processes end: their ids may be given to other processes afterwards.
            meter.ForgetChildren();
        }
    }

    /// <summary>
    /// Waits until the child processes' tiered JIT has finished. Their runtimes defer compiling the hot code at tier 1 while
    /// they are busy, so after the warm-up they still owed it (about a core for several seconds here), and a steady run
    /// started at once paid for it: 14 ms of CPU per notice instead of about 8. Their compiled methods cannot be counted
    /// from here, but their compilation threads' CPU can (<see cref="ProcessMeter.ChildJitSeconds"/>).
    /// </summary>
    private static async Task<(int Seconds, double Cpu)> SettleJitAsync(ProcessMeter meter, CancellationToken ct)
    {
        var start = meter.ChildJitSeconds();
        var seconds = 0;
        double last;
        do
        {
            var before = meter.ChildJitSeconds();
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            last = meter.ChildJitSeconds() - before;
            seconds++;
        }
        while (last >= JitQuietSecondsPerSecond && seconds < JitSettleMaxSeconds);

        return (seconds, meter.ChildJitSeconds() - start);
    }

    /// <summary>
    /// Whether every instance got work in the steady run: accepted per gateway (the load's own round-robin), emails per
    /// email dispatcher (the sink's messages per connection, each connection's process found by its socket while the
    /// dispatchers' SMTP pools hold it open), CPU per process, and the consumers of the pipeline's queues.
    /// </summary>
    private static async Task<(string Description, bool Ok)> DescribeSpreadAsync(ScaleOutPlatform platform, List<Submission> accepted,
        IReadOnlyDictionary<int, long> byConnectionBefore, ProcessMeter.Cpu cpu, CancellationToken ct)
    {
        var gateways = platform.Of(ScaleOutPlatform.Gateways);
        var perGateway = gateways.Select((g, i) => (g.Label, Count: (long)accepted.Count(s => s.Gateway == i))).ToList();

        var dispatchers = platform.Of(ScaleOutPlatform.EmailDispatchers);
        var perDispatcher = dispatchers.ToDictionary(d => d.Label, _ => 0L);
        var unattributed = 0L;
        var sinkPort = platform.Target.Smtp.Port;
        foreach (var (port, total) in platform.Target.Smtp.MessagesByClientPort)
        {
            var messages = total - byConnectionBefore.GetValueOrDefault(port);
            if (messages == 0)
            {
                continue;
            }

            var owner = ProcessMeter.ConnectionOwner(port, sinkPort, dispatchers.Select(d => d.ProcessId ?? 0));
            if (dispatchers.FirstOrDefault(d => owner is not null && d.ProcessId == owner) is { } dispatcher)
            {
                perDispatcher[dispatcher.Label] += messages;
            }
            else
            {
                unattributed += messages;
            }
        }

        using var api = ManagementApi();
        var queues = await QueuesAsync(api, platform.Target, ct);
        var consumers = PipelineQueues.Select(q => (Queue: q, Count: queues.FirstOrDefault(x => x.Name == q).Consumers)).ToList();

        var attributed = perDispatcher.Values.Sum() > 0;
        var emails = attributed
            ? $"{string.Join(", ", perDispatcher.Select(d => $"{d.Key} {d.Value:N0}"))}{(unattributed > 0 ? $", {unattributed:N0} on connections closed before they could be attributed" : string.Empty)}"
            : "not measured (no SMTP connection could be traced to its process)";
        var ok = perGateway.All(g => g.Count > 0) && (!attributed || perDispatcher.Values.All(n => n > 0))
            && consumers.All(c => c.Count == ScaleOutPlatform.Instances);
        return ($"accepted per gateway {string.Join(", ", perGateway.Select(g => $"{g.Label} {g.Count:N0}"))}; " +
            $"emails per dispatcher {emails} (at the sink, by the process holding each SMTP connection); " +
            $"CPU s per process {string.Join(", ", cpu.ByChild.Select(c => $"{c.Key.Name} {c.Value:N1}"))}; " +
            $"consumers {string.Join(", ", consumers.Select(c => $"{c.Queue} {c.Count}"))} (management API)", ok);
    }
}
