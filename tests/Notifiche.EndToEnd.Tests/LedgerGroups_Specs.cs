using Microsoft.Extensions.DependencyInjection;
using Notifiche.Contracts;
using Notifiche.Dispatch.Ledger;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>Issue 15: the ledger's claims and outcomes written in groups on PostgreSQL, each with its own answer.</summary>
public class Writing_the_ledger_in_groups
{
    [Test]
    public async Task Should_claim_each_dispatch_once_and_record_each_outcome_on_its_own_claim()
    {
        var writer = Platform.Hosts.Services("Notifiche.Dispatch.Email").GetRequiredService<LedgerWriter>();
        var probe = Platform.Hosts.EmailDispatchDatabase;
        var notices = Enumerable.Range(0, 12).Select(_ => Guid.CreateVersion7()).ToList();
        var already = notices[0];
        await DispatchProbe.InsertAsync(probe, already, Channels.Email, "already@example.it", "SENT", "earlier");
        DispatchKey Key(Guid notice) => new(notice, Channels.Email, DispatchLedger.AddressKeyOf(TestDispatchLedger.AddressKey, Channels.Email,
            notice == already ? "already@example.it" : $"group-{notice:N}@example.it"));
        var now = DateTimeOffset.UtcNow;

        // Every notice asked for twice at once (a command delivered twice), the first one already recorded.
        var asked = notices.Concat(notices).ToList();
        var claims = await Task.WhenAll(asked.Select(n => writer.ClaimAsync(Key(n), null, "group-spec-owner", now, now.AddMinutes(1), CancellationToken.None)));

        for (var i = 0; i < notices.Count; i++)
        {
            var granted = new[] { claims[i], claims[i + notices.Count] }.Count(c => c);
            Assert.That(granted, Is.EqualTo(notices[i] == already ? 0 : 1), $"notice {i}: claimed once, or never when it has a record");
        }

        await Task.WhenAll(
            writer.RecordAsync(Key(notices[1]), "group-spec-owner", OutcomeKind.Sent, now, providerMessageId: "provider-1"),
            writer.RecordAsync(Key(notices[2]), "group-spec-owner", OutcomeKind.Failed, now, reason: "550 mailbox unavailable"),
            writer.RecordAsync(Key(notices[3]), "group-spec-owner", OutcomeKind.Released, now),
            writer.RecordAsync(Key(notices[4]), "another-owner", OutcomeKind.Sent, now, providerMessageId: "not ours"),
            writer.RecordAsync(Key(already), "group-spec-owner", OutcomeKind.Failed, now, reason: "not ours either"));

        var email = new DispatchProbe("Notifiche.Dispatch.Email", probe);
        using (email)
        {
            Assert.That((await email.RowsAsync(notices[1])).Single(), Has.Property("State").EqualTo("SENT").And.Property("ProviderMessageId").EqualTo("provider-1"));
            Assert.That((await email.RowsAsync(notices[2])).Single(), Has.Property("State").EqualTo("FAILED").And.Property("Reason").EqualTo("550 mailbox unavailable"));
            Assert.That(await email.RowsAsync(notices[3]), Is.Empty, "a released claim is gone: a retry may call again");
            Assert.That((await email.RowsAsync(notices[4])).Single(), Has.Property("State").EqualTo("SENDING"), "only the owner records the outcome of a claim");
            Assert.That((await email.RowsAsync(already)).Single(), Has.Property("State").EqualTo("SENT").And.Property("ProviderMessageId").EqualTo("earlier"));
            Assert.That((await email.RowsAsync(notices[5])).Single(), Has.Property("State").EqualTo("SENDING"));
        }
    }
}
