using System.Diagnostics;
using System.Globalization;

namespace Notifiche.Benchmark;

/// <summary>
/// CPU time and memory of the three processes that do the work: this one (all .NET hosts + load generator + SMTP
/// sink), the RabbitMQ node (beam.smp) and the PostgreSQL server (postmaster + its backends). The servers are found
/// by the loopback port they listen on (/proc/net/tcp → socket inode → /proc/PID/fd), so the servers of other
/// engineers' test runs on the same machine are not counted.
/// </summary>
public sealed class ProcessMeter : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly int? _rabbitPid;
    private readonly int? _postgresPid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;

    public ProcessMeter(int rabbitPort, int postgresPort)
    {
        _rabbitPid = ListeningPid(rabbitPort);
        _postgresPid = ListeningPid(postgresPort);
        _sampler = SampleAsync();
    }

    public long PeakSelfBytes { get; private set; }
    public long PeakSelfGcHeapBytes { get; private set; }
    public long PeakRabbitBytes { get; private set; }
    public long PeakPostgresBytes { get; private set; }
    public bool FoundServers => _rabbitPid is not null && _postgresPid is not null;

    public readonly record struct Cpu(double Self, double Rabbit, double Postgres)
    {
        public double Total => Self + Rabbit + Postgres;
        public static Cpu operator -(Cpu a, Cpu b) => new(a.Self - b.Self, a.Rabbit - b.Rabbit, a.Postgres - b.Postgres);
    }

    public Cpu CpuSeconds()
    {
        var self = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var rabbit = _rabbitPid is { } r ? TreeTicks(r) / TicksPerSecond : 0;
        var postgres = _postgresPid is { } p ? TreeTicks(p) / TicksPerSecond : 0;
        return new Cpu(self, rabbit, postgres);
    }

    public void ResetPeaks()
    {
        PeakSelfBytes = PeakSelfGcHeapBytes = PeakRabbitBytes = PeakPostgresBytes = 0;
    }

    // Every 2 s; the process trees are listed again every 10 s only (listing walks all of /proc, which on a busy machine
    // cost the bench process more CPU than some of the services' stages).
    private async Task SampleAsync()
    {
        int[] rabbitTree = [], postgresTree = [];
        for (var sample = 0; !_stop.IsCancellationRequested; sample++)
        {
            try
            {
                if (sample % 5 == 0)
                {
                    rabbitTree = _rabbitPid is { } r ? [.. Tree(r)] : [];
                    postgresTree = _postgresPid is { } p ? [.. Tree(p)] : [];
                }

                using var self = Process.GetCurrentProcess();
                PeakSelfBytes = Math.Max(PeakSelfBytes, self.WorkingSet64);
                PeakSelfGcHeapBytes = Math.Max(PeakSelfGcHeapBytes, GC.GetGCMemoryInfo().HeapSizeBytes);
                PeakRabbitBytes = Math.Max(PeakRabbitBytes, rabbitTree.Sum(Rss));
                PeakPostgresBytes = Math.Max(PeakPostgresBytes, postgresTree.Sum(Rss));
                await Task.Delay(2000, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception)
            {
                // a process of the tree ended between listing and reading: sample again
            }
        }
    }

    private static IEnumerable<int> Tree(int root)
    {
        yield return root;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != root && ParentOf(pid) == root)
            {
                yield return pid;
            }
        }
    }

    private static int? ParentOf(int pid)
    {
        var stat = Stat(pid);
        return stat is null ? null : int.Parse(stat[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Fields of /proc/PID/stat after the command name: [0] state, [1] ppid, … [11] utime, [12] stime.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long TreeTicks(int root) => Tree(root).Sum(pid =>
        Stat(pid) is { } s ? long.Parse(s[11], CultureInfo.InvariantCulture) + long.Parse(s[12], CultureInfo.InvariantCulture) : 0);

    private static long Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0; // ended since the tree was listed
        }
    }

    private static int? ListeningPid(int port)
    {
        try
        {
            var hexPort = port.ToString("X4", CultureInfo.InvariantCulture);
            var inode = File.ReadLines("/proc/net/tcp").Skip(1)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f[1].EndsWith(":" + hexPort, StringComparison.Ordinal) && f[3] == "0A")
                .Select(f => f[9]).FirstOrDefault();
            if (inode is null)
            {
                return null;
            }

            var target = $"socket:[{inode}]";
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid))
                {
                    continue;
                }

                try
                {
                    foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                    {
                        var link = new FileInfo(fd).LinkTarget;
                        if (link == target)
                        {
                            return pid;
                        }
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        _stop.Dispose();
    }
}
