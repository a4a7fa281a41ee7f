using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Notifiche.Benchmark;

/// <summary>
/// CPU time and memory of the processes that do the work: this one (the in-process hosts, load generator and SMTP
/// sink), the RabbitMQ node (beam.smp), the PostgreSQL server (postmaster + its backends), and the service processes it
/// is told to watch (the scale-out layout), each in a group. The servers are found by the loopback port they listen on
/// (/proc/net/tcp → socket inode → /proc/PID/fd), so the servers of other engineers' test runs on the same machine are
/// not counted.
/// </summary>
public sealed class ProcessMeter : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly int? _rabbitPid;
    private readonly int? _postgresPid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private volatile Child[] _children = [];
    // A process's CPU time as last read: what it used stays counted after it has ended (its /proc entry is gone then).
    private readonly ConcurrentDictionary<int, long> _lastTicks = new();
    private readonly ConcurrentDictionary<string, long> _peakChildBytes = new();
    private readonly ConcurrentDictionary<int, long> _jitThreadTicks = new();

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

    /// <summary>A watched service process: its group (<c>gateways</c>) and name (<c>gateway-1</c>).</summary>
    public readonly record struct Child(string Group, string Name, int Pid);

    /// <summary>CPU seconds so far: this process, the servers, and each watched child (this process's own figure leaves its children out).</summary>
    public readonly record struct Cpu(double Self, double Rabbit, double Postgres, IReadOnlyDictionary<Child, double>? Children = null)
    {
        public IReadOnlyDictionary<Child, double> ByChild => Children ?? new Dictionary<Child, double>();
        public double Total => Self + Rabbit + Postgres + ByChild.Values.Sum();
        public double Group(string group) => ByChild.Where(c => c.Key.Group == group).Sum(c => c.Value);

        public static Cpu operator -(Cpu a, Cpu b) => new(a.Self - b.Self, a.Rabbit - b.Rabbit, a.Postgres - b.Postgres,
            a.ByChild.ToDictionary(c => c.Key, c => c.Value - b.ByChild.GetValueOrDefault(c.Key)));
    }

    public Cpu CpuSeconds()
    {
        var self = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var rabbit = _rabbitPid is { } r ? TreeTicks(r) / TicksPerSecond : 0;
        var postgres = _postgresPid is { } p ? TreeTicks(p) / TicksPerSecond : 0;
        var children = _children.ToDictionary(c => c, c => ChildTicks(c.Pid) / TicksPerSecond);
        return new Cpu(self, rabbit, postgres, children);
    }

    /// <summary>Counts a service process from now on: its CPU in <see cref="CpuSeconds"/>, its peak RSS in <see cref="PeakChildBytes"/>.</summary>
    public void Watch(string group, string name, int pid) => _children = [.. _children, new Child(group, name, pid)];

    /// <summary>Stops counting the watched processes (they have ended: their ids may be given to other processes).</summary>
    public void ForgetChildren()
    {
        _children = [];
        _peakChildBytes.Clear();
        _jitThreadTicks.Clear();
    }

    /// <summary>
    /// ≈ CPU seconds the watched processes' tiered-compilation threads have used so far: their JIT, which their method
    /// counts cannot show from here. The runtime ends such a thread when it has been idle a few seconds; what it used since
    /// the last sample (every 2 s) is lost then, so read as a lower bound.
    /// </summary>
    public double ChildJitSeconds()
    {
        SampleJitThreads();
        return _jitThreadTicks.Values.Sum() / TicksPerSecond;
    }

    private void SampleJitThreads()
    {
        foreach (var child in _children)
        {
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{child.Pid}/task"))
                {
                    // The runtime names it ".NET Tiered Compilation Worker", cut to 15 characters by the kernel.
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal)
                        && int.TryParse(Path.GetFileName(task), out var tid) && Ticks(Stat(Path.Combine(task, "stat"))) is { } ticks)
                    {
                        _jitThreadTicks[tid] = ticks;
                    }
                }
            }
            catch (IOException)
            {
                // The process or the thread ended meanwhile: its last reading stays counted.
            }
        }
    }

    /// <summary>The most memory each watched process held since the last <see cref="ResetPeaks"/> (sampled every 2 s), in the order they were watched.</summary>
    public IReadOnlyList<(string Name, long Bytes)> PeakChildBytes => [.. _children.Select(c => (c.Name, _peakChildBytes.GetValueOrDefault(c.Name)))];

    public void ResetPeaks()
    {
        PeakSelfBytes = PeakSelfGcHeapBytes = PeakRabbitBytes = PeakPostgresBytes = 0;
        _peakChildBytes.Clear();
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
                SampleJitThreads();
                foreach (var child in _children)
                {
                    var rss = Rss(child.Pid);
                    _peakChildBytes.AddOrUpdate(child.Name, rss, (_, peak) => Math.Max(peak, rss));
                }

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
    private static string[]? Stat(int pid) => Stat($"/proc/{pid}/stat");

    /// <summary>
    /// The same of a stat file: a process's, or one thread's (<c>/proc/PID/task/TID/stat</c>; <c>/proc/TID/stat</c> would
    /// count the thread's whole process).
    /// </summary>
    private static string[]? Stat(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
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

    private static long TreeTicks(int root) => Tree(root).Sum(pid => Ticks(pid) ?? 0);

    private static long? Ticks(int pid) => Ticks(Stat(pid));

    private static long? Ticks(string[]? stat) =>
        stat is { } s ? long.Parse(s[11], CultureInfo.InvariantCulture) + long.Parse(s[12], CultureInfo.InvariantCulture) : null;

    private long ChildTicks(int pid) => Ticks(pid) is { } ticks ? _lastTicks[pid] = ticks : _lastTicks.GetValueOrDefault(pid);

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

    private static int? ListeningPid(int port) =>
        SocketOwner(f => f[1].EndsWith(":" + Hex(port), StringComparison.Ordinal) && f[3] == "0A",
            Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0).Where(pid => pid > 0));

    /// <summary>Which of <paramref name="pids"/> holds the loopback TCP connection from <paramref name="localPort"/> to <paramref name="remotePort"/>.</summary>
    public static int? ConnectionOwner(int localPort, int remotePort, IEnumerable<int> pids) =>
        SocketOwner(f => f[1].EndsWith(":" + Hex(localPort), StringComparison.Ordinal) && f[2].EndsWith(":" + Hex(remotePort), StringComparison.Ordinal), pids);

    private static string Hex(int port) => port.ToString("X4", CultureInfo.InvariantCulture);

    /// <summary>The first of <paramref name="pids"/> with a descriptor on the IPv4 socket whose /proc/net/tcp fields match.</summary>
    private static int? SocketOwner(Func<string[], bool> match, IEnumerable<int> pids)
    {
        try
        {
            var inode = File.ReadLines("/proc/net/tcp").Skip(1)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(match)
                .Select(f => f[9]).FirstOrDefault();
            if (inode is null)
            {
                return null;
            }

            var target = $"socket:[{inode}]";
            foreach (var pid in pids)
            {
                try
                {
                    foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
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
