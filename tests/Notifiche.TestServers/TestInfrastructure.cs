using System.Diagnostics;
using Notifiche.Testing.Servers;

namespace Notifiche.TestServers;

/// <summary>The RabbitMQ node and the PostgreSQL cluster a test run needs, started side by side, and what the tests are told about them.</summary>
internal sealed class TestInfrastructure : IAsyncDisposable
{
    private TestInfrastructure(LocalRabbitMq rabbitMq, LocalPostgres postgres)
    {
        RabbitMq = rabbitMq;
        Postgres = postgres;
    }

    public LocalRabbitMq RabbitMq { get; }
    public LocalPostgres Postgres { get; }

    /// <summary>Both servers configured (ports chosen, directories made), neither started.</summary>
    public static TestInfrastructure Create() => new(LocalRabbitMq.Create(), LocalPostgres.Create());

    /// <summary>Starts both at once; when one fails, the other's start is abandoned.</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var starts = new[]
        {
            StartOneAsync("RabbitMQ", $"node {RabbitMq.Node} on {LocalRabbitMq.Host}:{RabbitMq.Port} (management :{RabbitMq.ManagementPort})",
                () => RabbitMq.StartAsync(timeout, failed.Token), failed),
            StartOneAsync($"PostgreSQL {Postgres.Version}", $"on {LocalPostgres.Host}:{Postgres.Port}",
                () => Postgres.StartAsync(timeout, failed.Token), failed),
        };
        try
        {
            await Task.WhenAll(starts);
        }
        catch (Exception) when (!cancellation.IsCancellationRequested)
        {
            // The server that failed, not the one whose start was abandoned because of it.
            throw starts.Select(s => s.Exception?.InnerException).First(e => e is not null and not OperationCanceledException)!;
        }
    }

    private static async Task StartOneAsync(string name, string where, Func<Task> start, CancellationTokenSource failed)
    {
        Console.Error.WriteLine(Runner.Prefix + $"starting {name} {where} …");
        var watch = Stopwatch.StartNew();
        try
        {
            await start();
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }

        Console.Error.WriteLine(Runner.Prefix + $"{name} ready in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>What the tests read (tests/Notifiche.Testing/TestEnvironment.cs), in a stable order.</summary>
    public IReadOnlyList<(string Name, string Value)> Variables() =>
    [
        ("NOTIFICHE_TEST_RABBITMQ_HOST", LocalRabbitMq.Host),
        ("NOTIFICHE_TEST_RABBITMQ_PORT", RabbitMq.Port.ToString()),
        ("NOTIFICHE_TEST_RABBITMQ_MANAGEMENT_PORT", RabbitMq.ManagementPort.ToString()),
        ("NOTIFICHE_TEST_RABBITMQ_USER", LocalRabbitMq.User),
        ("NOTIFICHE_TEST_RABBITMQ_PASSWORD", LocalRabbitMq.Password),
        ("NOTIFICHE_TEST_POSTGRES", Postgres.GetConnectionString()),
        ("NOTIFICHE_TEST_SMTPD_PYTHON", Environment.GetEnvironmentVariable("NOTIFICHE_TEST_SMTPD_PYTHON") is { Length: > 0 } python ? python : "/usr/bin/python3"),
        ("MASSTRANSIT_USAGE_TELEMETRY", "false"),
        ("DOTNET_CLI_TELEMETRY_OPTOUT", "1"),
        ("DOTNET_NOLOGO", "1"),
    ];

    /// <summary>Why the servers cannot serve tests any more, or null while both run.</summary>
    public string? WhatDied() =>
        !RabbitMq.IsRunning ? "RabbitMQ exited unexpectedly"
        : !Postgres.IsRunning ? "PostgreSQL exited unexpectedly"
        : null;

    /// <summary>
    /// Stops both servers in order (so their logs are complete), prints the end of each log and copies the logs to
    /// <paramref name="destination"/> (this run's only: earlier copies there are replaced).
    /// </summary>
    public async Task KeepLogsAsync(string destination)
    {
        await Task.WhenAll(Quietly(RabbitMq.StopAsync), Quietly(Postgres.StopAsync));
        var logs = new[] { ("rabbitmq", Directory.Exists(RabbitMq.LogDirectory) ? Directory.GetFiles(RabbitMq.LogDirectory) : []),
            ("postgres", File.Exists(Postgres.LogFile) ? new[] { Postgres.LogFile } : []) };
        foreach (var (server, files) in logs)
        {
            var copies = Path.Combine(destination, server);
            if (Directory.Exists(copies))
            {
                Directory.Delete(copies, recursive: true);
            }

            Directory.CreateDirectory(copies);
            foreach (var file in files.Where(f => new FileInfo(f).Length > 0))
            {
                Console.Error.WriteLine($"\n{Runner.Prefix}----- last 40 lines of {server}/{Path.GetFileName(file)} -----");
                foreach (var line in File.ReadLines(file).TakeLast(40))
                {
                    Console.Error.WriteLine(line);
                }

                File.Copy(file, Path.Combine(copies, Path.GetFileName(file)), overwrite: true);
            }
        }

        Console.Error.WriteLine(Runner.Prefix + $"server logs copied to {destination}");

        static async Task Quietly(Func<Task> stop)
        {
            try
            {
                await stop();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine(Runner.Prefix + $"(stopping: {e.Message})");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(RabbitMq.DisposeAsync().AsTask(), Postgres.DisposeAsync().AsTask());
    }
}
