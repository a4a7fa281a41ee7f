using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

/// <summary>Issue 13, point 8: a notice's audit trail records its events in causal order, and sequence says that order.</summary>
public class Auditing_notices_under_load
{
    private const int Notices = 50;

    private static readonly string[] AllChannels = ["email", "sms", "push"];

    private static string PhoneOf(int citizen) => $"+39347{citizen:0000000}";

    [Test]
    public async Task Should_append_every_channel_outcome_after_the_routing_decision_in_increasing_sequence()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("audit-under-load", AllChannels);
        var run = Random.Shared.Next(0, 100_000);
        var citizens = Enumerable.Range(0, Notices).Select(_ => Citizens.NewFiscalCode()).ToList();
        await Task.WhenAll(citizens.Select((fiscalCode, i) => Api.PutProfileAsync(fiscalCode, new
        {
            email = Api.NewEmail("causal"), email_verified = true, phone = PhoneOf(run * 100 + i), push_tokens = new[] { $"device-{fiscalCode}" },
            channels = new { email = true, sms = true, push = true },
        })));

        // All at once: the gateway receives routing decisions and channel outcomes for many notices interleaved.
        var ids = await Task.WhenAll(citizens.Select(fiscalCode => Api.SubmitAsync(service, Api.Notice(fiscalCode))));
        foreach (var id in ids)
        {
            await Eventually.Until(() => Api.StatusAsync(service, id), s => AllChannels.All(c => Api.ChannelStatus(s, c) == "SENT"),
                TimeSpan.FromMinutes(3), $"notice {id} SENT on every channel");
        }

        foreach (var id in ids)
        {
            var events = await Eventually.Until(() => Api.EventsAsync(service, id), e => e.Count(v => Api.Type(v) == "sent") == 3,
                TimeSpan.FromSeconds(30), "three sent events");
            AssertCausal(id, events);
        }
    }

    private static void AssertCausal(Guid id, List<JsonElement> events)
    {
        var trail = string.Join("\n", events);
        var sequences = events.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        var types = events.Select(e => $"{Api.Type(e)} {Api.Channel(e)}".Trim()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sequences.Zip(sequences.Skip(1)).All(p => p.First < p.Second), Is.True, $"sequence strictly increasing for {id}:\n{trail}");
            Assert.That(types.Take(2), Is.EqualTo(new[] { "accepted", "routed" }), $"accepted, then routed, first for {id}:\n{trail}");
            foreach (var channel in AllChannels)
            {
                Assert.That(types.IndexOf($"sent {channel}"), Is.GreaterThan(types.IndexOf("routed")), $"{channel} sent after routed for {id}");
            }
        });
    }
}
