using System.Data;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifiche.Persistence;

namespace Notifiche.Dispatch.Ledger;

/// <summary>
/// Writes the ledger's claims and outcomes in groups (<see cref="GroupCommit{T}"/>): the dispatch consumers of one queue
/// (up to its prefetch count at once) each claim a dispatch right before calling the provider and record its outcome
/// right after; under load one round trip serves all the claims, and one all the outcomes, that wait together, instead of
/// two commands per dispatch (issue 15). Alone, a claim or an outcome is written at once. Each caller awaits its own
/// write, so a claim is committed before its request can reach the provider, and an outcome before its message is
/// acknowledged. Plain SQL that PostgreSQL and SQLite (the standalone) both run, with EF Core's parameter mappings.
/// </summary>
public sealed class LedgerWriter : IAsyncDisposable
{
    private static readonly string Sending = State(DispatchState.Sending);
    private readonly GroupCommit<Claim> _claims;
    private readonly GroupCommit<Outcome> _outcomes;

    public LedgerWriter(IServiceScopeFactory scopes, ILogger<LedgerWriter> logger)
    {
        _claims = new("ledger claims", scopes, (services, group, ct) => ClaimAsync(services.GetRequiredService<DispatchLedgerDbContext>(), group, ct), logger);
        _outcomes = new("ledger outcomes", scopes, (services, group, ct) => RecordAsync(services.GetRequiredService<DispatchLedgerDbContext>(), group, ct), logger);
    }

    /// <summary>
    /// Claims a dispatch (a <c>SENDING</c> record owned by <paramref name="owner"/> until <paramref name="leaseUntil"/>);
    /// false when it has a record already. Once asked, the answer is awaited even if <paramref name="ct"/> is cancelled
    /// meanwhile: a claim committed unbeknown to its owner would later read as an attempt that died after the hand-off.
    /// </summary>
    public async Task<bool> ClaimAsync(DispatchKey key, int? segments, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var claim = new Claim(key, segments, owner, now, leaseUntil);
        await _claims.ApplyAsync(claim, CancellationToken.None);
        return claim.Claimed;
    }

    /// <summary>Records the outcome of <paramref name="owner"/>'s claim (see <see cref="OutcomeKind"/> for what each kind changes).</summary>
    public Task RecordAsync(DispatchKey key, string owner, OutcomeKind kind, DateTimeOffset now, string? providerMessageId = null, string? reason = null,
        bool addressRejected = false) =>
        _outcomes.ApplyAsync(new Outcome(key, owner, kind, now, providerMessageId, reason, addressRejected), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _claims.DisposeAsync();
        await _outcomes.DisposeAsync();
    }

    private static async Task<IReadOnlyList<Exception?>> ClaimAsync(DispatchLedgerDbContext db, IReadOnlyList<Traced<Claim>> group, CancellationToken ct)
    {
        // A key twice in one group (a command delivered twice at once): the first asks, the others are refused with it.
        var first = new Dictionary<DispatchKey, Claim>();
        var sql = new StringBuilder("INSERT INTO dispatches (notice_id, channel, address_key, state, segments, address_rejected, claimed_at, owner, lease_until) VALUES ");
        var parameters = new List<object?>();
        foreach (var claim in group.Select(c => c.Item))
        {
            if (!first.TryAdd(claim.Key, claim))
            {
                continue;
            }

            sql.Append(first.Count > 1 ? ", (" : "(")
                .AppendJoin(", ", Placeholders(parameters, claim.Key.NoticeId, claim.Key.Channel, claim.Key.AddressKey, Sending, claim.Segments, false,
                    claim.Now, claim.Owner, claim.LeaseUntil))
                .Append(')');
        }

        sql.Append(" ON CONFLICT (notice_id, channel, address_key) DO NOTHING RETURNING notice_id, channel, address_key");
        await using var command = await CommandAsync(db, sql.ToString(), parameters, ct);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var key = new DispatchKey(reader.GetValue(0) switch { Guid id => id, var text => Guid.Parse(Convert.ToString(text)!) },
                    reader.GetString(1), reader.GetString(2));
                first[key].Claimed = true;
            }
        }

        return new Exception?[group.Count];
    }

    private static async Task<IReadOnlyList<Exception?>> RecordAsync(DispatchLedgerDbContext db, IReadOnlyList<Traced<Outcome>> group, CancellationToken ct)
    {
        var sql = new StringBuilder();
        var parameters = new List<object?>();
        foreach (var o in group.Select(o => o.Item))
        {
            string Arg(object? value) => Placeholders(parameters, value)[0];
            var ours = $"notice_id = {Arg(o.Key.NoticeId)} AND channel = {Arg(o.Key.Channel)} AND address_key = {Arg(o.Key.AddressKey)} AND owner = {Arg(o.Owner)}";
            sql.Append(o.Kind switch
            {
                // Also over an UNKNOWN someone wrote while our lease had lapsed: the provider did take it.
                OutcomeKind.Sent => $"UPDATE dispatches SET state = {Arg(State(DispatchState.Sent))}, provider_message_id = {Arg(o.ProviderMessageId)}, reason = NULL, " +
                                    $"lease_until = NULL, completed_at = {Arg(o.Now)} WHERE {ours} AND (state = {Arg(Sending)} OR reason = {Arg(DispatchLedger.OutcomeUnknown)});",
                OutcomeKind.Failed => $"UPDATE dispatches SET state = {Arg(State(DispatchState.Failed))}, reason = {Arg(o.Reason)}, address_rejected = {Arg(o.AddressRejected)}, " +
                                      $"lease_until = NULL, completed_at = {Arg(o.Now)} WHERE {ours} AND state = {Arg(Sending)};",
                _ => $"DELETE FROM dispatches WHERE {ours} AND state = {Arg(Sending)};",
            });
        }

        await using var command = await CommandAsync(db, sql.ToString(), parameters, ct);
        await command.ExecuteNonQueryAsync(ct);
        return new Exception?[group.Count];
    }

    private static string[] Placeholders(List<object?> parameters, params object?[] values)
    {
        var names = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            names[i] = $"@p{parameters.Count}";
            parameters.Add(values[i]);
        }

        return names;
    }

    /// <summary>A command on the context's connection, its parameters made by EF Core's mappings (a Guid as uuid on PostgreSQL, as EF's text on SQLite).</summary>
    private static async Task<DbCommand> CommandAsync(DispatchLedgerDbContext db, string sql, List<object?> values, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct); // closed with the context, at the end of the group's scope
        }

        var mappings = db.GetService<IRelationalTypeMappingSource>();
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            var parameter = value is null
                ? command.CreateParameter()
                : mappings.FindMapping(value.GetType())!.CreateParameter(command, $"p{i}", value);
            parameter.ParameterName = $"p{i}";
            parameter.Value ??= DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static string State(DispatchState state) => state.ToString().ToUpperInvariant();

    private sealed class Claim(DispatchKey key, int? segments, string owner, DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        public DispatchKey Key { get; } = key;
        public int? Segments { get; } = segments;
        public string Owner { get; } = owner;
        public DateTimeOffset Now { get; } = now;
        public DateTimeOffset LeaseUntil { get; } = leaseUntil;
        public bool Claimed { get; set; }
    }

    private sealed record Outcome(DispatchKey Key, string Owner, OutcomeKind Kind, DateTimeOffset Now, string? ProviderMessageId, string? Reason, bool AddressRejected);
}

/// <summary>What an outcome does to its claim.</summary>
public enum OutcomeKind
{
    /// <summary>The provider accepted it: <c>SENT</c> with the provider's id (also over an UNKNOWN written while our lease had lapsed).</summary>
    Sent,

    /// <summary>A final failure (a rejection, or UNKNOWN): <c>FAILED</c> with the reason.</summary>
    Failed,

    /// <summary>The provider proved it did not take it: the claim is released, and a retry may call again.</summary>
    Released,
}
