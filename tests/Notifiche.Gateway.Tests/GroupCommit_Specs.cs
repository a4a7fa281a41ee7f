using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Notifiche.Gateway.Data;
using Notifiche.Persistence;
using Notifiche.Gateway.Status;

namespace Notifiche.Gateway.Tests;

/// <summary>Issue 15: status changes applied in groups, each caller getting its own change's outcome.</summary>
public class Applying_changes_in_groups
{
    private static readonly IServiceScopeFactory Scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();

    [Test]
    public async Task Should_group_concurrent_requests_and_give_each_its_own_outcome()
    {
        var groups = new List<int>();
        var gate = new TaskCompletionSource();
        await using var commit = new GroupCommit<int>("numbers", Scopes, async (_, group, _) =>
        {
            lock (groups)
            {
                groups.Add(group.Count);
            }

            await gate.Task; // the first group holds the writer while the others queue up
            return [.. group.Select(n => n.Item % 2 == 0 ? null : (Exception)new InvalidOperationException($"odd {n.Item}"))];
        }, NullLogger.Instance);

        var first = commit.ApplyAsync(0, CancellationToken.None);
        await Task.Delay(100);
        var rest = Enumerable.Range(1, 9).Select(n => commit.ApplyAsync(n, CancellationToken.None)).ToList();
        gate.SetResult();

        await first;
        for (var n = 1; n <= 9; n++)
        {
            if (n % 2 == 0)
            {
                await rest[n - 1];
            }
            else
            {
                var failure = Assert.ThrowsAsync<InvalidOperationException>(async () => await rest[n - 1]);
                Assert.That(failure!.Message, Is.EqualTo($"odd {n}"));
            }
        }

        Assert.That(groups, Is.EqualTo(new[] { 1, 9 }), "the nine requests that queued behind the first went in one group");
    }

    [Test]
    public async Task Should_apply_a_failed_groups_requests_one_by_one_so_one_bad_request_fails_alone()
    {
        var gate = new TaskCompletionSource();
        var applied = new List<int>();
        await using var commit = new GroupCommit<int>("numbers", Scopes, async (_, group, _) =>
        {
            await gate.Task;
            if (group.Any(r => r.Item == 13))
            {
                throw new InvalidOperationException("the transaction failed");
            }

            lock (applied)
            {
                applied.AddRange(group.Select(r => r.Item));
            }

            return new Exception?[group.Count];
        }, NullLogger.Instance);

        var first = commit.ApplyAsync(1, CancellationToken.None);
        await Task.Delay(100);
        var good = commit.ApplyAsync(2, CancellationToken.None);
        var bad = commit.ApplyAsync(13, CancellationToken.None);
        var alsoGood = commit.ApplyAsync(3, CancellationToken.None);
        gate.SetResult();

        await Task.WhenAll(first, good, alsoGood);
        Assert.ThrowsAsync<InvalidOperationException>(async () => await bad);
        Assert.That(applied, Is.EquivalentTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public async Task Should_fail_the_whole_group_at_once_when_the_database_cannot_be_reached()
    {
        var gate = new TaskCompletionSource();
        var calls = 0;
        await using var commit = new GroupCommit<int>("numbers", Scopes, async (_, _, _) =>
        {
            Interlocked.Increment(ref calls);
            await gate.Task;
            throw new Npgsql.NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111));
        }, NullLogger.Instance);

        var first = commit.ApplyAsync(1, CancellationToken.None);
        await Task.Delay(100);
        var rest = Enumerable.Range(2, 5).Select(n => commit.ApplyAsync(n, CancellationToken.None)).ToList();
        gate.SetResult();

        foreach (var request in rest.Prepend(first))
        {
            Assert.ThrowsAsync<Npgsql.NpgsqlException>(async () => await request);
        }

        Assert.That(calls, Is.EqualTo(2), "the first request, then the group of five once: not five more attempts one after the other");
    }
}
