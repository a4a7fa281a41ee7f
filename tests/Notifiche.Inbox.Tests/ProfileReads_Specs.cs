using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Preferences.Routing;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

/// <summary>Issue 15: the routing consumers' profile look-ups are read in groups on PostgreSQL, each with its own answer.</summary>
public class Reading_profiles_in_groups
{
    [Test]
    public async Task Should_answer_every_lookup_with_its_own_citizen_in_fewer_queries_than_lookups()
    {
        var known = Enumerable.Range(0, 3).Select(_ => Citizens.NewFiscalCode()).ToList();
        for (var i = 0; i < known.Count; i++)
        {
            await Api.PutProfileAsync(known[i], new { email = $"group-read-{i}@example.it", email_verified = true });
        }

        var unknown = Citizens.NewFiscalCode();
        var queries = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.TagObjects.Any(t => t.Value is string text && text.Contains("profiles") && text.Contains("SELECT", StringComparison.OrdinalIgnoreCase)))
                {
                    Interlocked.Increment(ref queries);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var reader = Platform.Hosts.Services(ServiceHosts.Preferences).GetRequiredService<ProfileReader>();
        var asked = Enumerable.Range(0, 40).Select(i => i % 4 == 3 ? unknown : known[i % 4]).ToList();
        var answers = await Task.WhenAll(asked.Select(code => reader.FindAsync(code, CancellationToken.None)));

        for (var i = 0; i < asked.Count; i++)
        {
            if (asked[i] == unknown)
            {
                Assert.That(answers[i], Is.Null, $"lookup {i}: a citizen without a profile");
            }
            else
            {
                Assert.That(answers[i]?.FiscalCode, Is.EqualTo(asked[i]), $"lookup {i}");
                Assert.That(answers[i]!.Email, Is.EqualTo($"group-read-{known.IndexOf(asked[i])}@example.it"), $"lookup {i}");
            }
        }

        Assert.That(queries, Is.InRange(1, 20), "40 concurrent look-ups share queries (the first alone, the rest in groups)");
    }
}
