using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifiche.Messaging;

namespace Notifiche.Dispatching;

/// <summary>
/// Makes a provider call happen at most once per notice, channel and address, however often the command is delivered.
/// <list type="number">
/// <item>Claim: a <c>SENDING</c> record, committed before the provider is called.</item>
/// <item>Call the provider. Accepted → <c>SENT</c> with its message id; rejected for good → <c>FAILED</c> with the
/// reason; a definite "not sent" (transient: refused, 4xx/5xx, unreachable) → the claim is released so a retry may call again.</item>
/// <item>A redelivered command finds the record: <c>SENT</c> → the same success again, without calling;
/// <c>FAILED</c> → the same failure; <c>SENDING</c> with nobody holding it → an attempt that died between the claim and
/// its outcome: the provider may or may not have it, so it is not called again — the dispatch fails with
/// <see cref="OutcomeUnknown"/>, visible and explained, never sent twice.</item>
/// </list>
/// Whether a <c>SENDING</c> record is still being worked on is known exactly: the attempt holds a PostgreSQL session
/// advisory lock on it for the whole provider call, and the lock dies with its connection when the process dies (on
/// SQLite, the single-process embedded default, a set of keys in flight in this process plays that part). A record held
/// by a live attempt (the same command delivered twice at once) answers <see cref="InProgress"/>, a transient failure.
/// <para>The window that remains: the outcome is unknown — not duplicated — when the process dies after the claim and
/// before the outcome is written (even if the request never left: a false failure), or when the provider call ends
/// without an answer (cancelled at shutdown, an unexpected exception). A timeout the sender reports as transient after
/// the request may have reached the provider is taken as "not sent" and retried — the one way left to send twice,
/// preferred to losing the notice. Recording <c>SENT</c> can fail after the provider accepted (database down): the
/// success is still reported, and a later redelivery of that command would answer <see cref="OutcomeUnknown"/>.</para>
/// </summary>
public sealed partial class DispatchLedger(
    DispatchLedgerDbContext db, DispatchesInFlight inFlight, IOptions<DispatchLedgerOptions> options, TimeProvider clock, ILogger<DispatchLedger> logger)
{
    /// <summary>Reason of a dispatch whose earlier attempt ended without an outcome: the provider is not called again.</summary>
    public const string OutcomeUnknown = "DISPATCH_OUTCOME_UNKNOWN";

    /// <summary>Transient reason: another attempt is calling the provider for this very dispatch right now.</summary>
    public const string InProgress = "DISPATCH_IN_PROGRESS";

    private const int ReasonLength = 512;

    /// <summary>Calls <paramref name="send"/> unless this dispatch already has an outcome; returns the outcome either way.</summary>
    public async Task<DeliveryResult> DispatchOnceAsync(DispatchRequest request, Func<CancellationToken, Task<DeliveryResult>> send, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var addressKey = AddressKeyOf(request);
        await using var hold = await HoldAsync(LockIdOf(request, addressKey), ct);
        if (hold is null)
        {
            return new DeliveryResult.Transient(InProgress);
        }

        var record = await db.Dispatches.SingleOrDefaultAsync(
            d => d.NoticeId == request.NoticeId && d.Channel == request.Channel && d.AddressKey == addressKey, ct);
        if (record is not null)
        {
            return await ReplayAsync(record);
        }

        record = new DispatchRecord
        {
            NoticeId = request.NoticeId, Channel = request.Channel, AddressKey = addressKey, State = DispatchState.Sending,
            Segments = request.Segments, ClaimedAt = clock.GetUtcNow(),
        };
        db.Dispatches.Add(record);
        await db.SaveChangesAsync(ct);

        DeliveryResult result;
        try
        {
            result = await send(ct);
        }
        catch (Exception e)
        {
            // No answer: the request may have left. The claim stays, so no later attempt calls the provider again.
            LogNoAnswer(request.NoticeId, request.Channel, e.GetType().Name);
            throw;
        }

        await RecordAsync(record, result);
        return result;
    }

    private async Task<DeliveryResult> ReplayAsync(DispatchRecord record)
    {
        switch (record.State)
        {
            case DispatchState.Sent:
                LogReplayed(record.NoticeId, record.Channel, record.State);
                return new DeliveryResult.Sent(record.ProviderMessageId);
            case DispatchState.Failed:
                LogReplayed(record.NoticeId, record.Channel, record.State);
                return new DeliveryResult.Permanent(record.Reason ?? OutcomeUnknown) { AddressRejected = record.AddressRejected };
            default:
                LogOutcomeUnknown(record.NoticeId, record.Channel, record.ClaimedAt);
                record.State = DispatchState.Failed;
                record.Reason = OutcomeUnknown;
                record.CompletedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(CancellationToken.None);
                return new DeliveryResult.Permanent(OutcomeUnknown);
        }
    }

    // Written whatever the consumer's token says: the provider has answered, and that answer must not be lost to a shutdown.
    private async Task RecordAsync(DispatchRecord record, DeliveryResult result)
    {
        record.CompletedAt = clock.GetUtcNow();
        switch (result)
        {
            case DeliveryResult.Sent sent:
                record.State = DispatchState.Sent;
                record.ProviderMessageId = sent.ProviderMessageId;
                try
                {
                    await db.SaveChangesAsync(CancellationToken.None);
                }
                catch (Exception e) when (e is DbException or DbUpdateException or InvalidOperationException)
                {
                    // The provider has it: report the success rather than retry a send that happened.
                    LogSentNotRecorded(record.NoticeId, record.Channel, e.GetType().Name);
                }

                return;
            case DeliveryResult.Permanent failed:
                record.State = DispatchState.Failed;
                record.Reason = failed.Reason.Length > ReasonLength ? failed.Reason[..ReasonLength] : failed.Reason;
                record.AddressRejected = failed.AddressRejected;
                break;
            default:
                db.Dispatches.Remove(record);
                break;
        }

        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>The pseudonym a ledger keyed with <paramref name="key"/> stores for an address (for SREs' look-ups and tests).</summary>
    public static string AddressKeyOf(string key, string channel, string address) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{channel}:{address}")));

    private string AddressKeyOf(DispatchRequest request) => AddressKeyOf(options.Value.AddressKey, request.Channel, request.Address);

    private static long LockIdOf(DispatchRequest request, string addressKey) =>
        BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{request.NoticeId:N}:{request.Channel}:{addressKey}")));

    /// <summary>Holds the dispatch for this attempt, or null when another live attempt holds it.</summary>
    private async Task<Hold?> HoldAsync(long lockId, CancellationToken ct)
    {
        if (!inFlight.TryEnter(lockId))
        {
            return null;
        }

        var hold = new Hold(db, inFlight, lockId);
        try
        {
            await db.Database.OpenConnectionAsync(ct);
            hold.ConnectionOpen = true;
            if (db.Database.IsNpgsql())
            {
                hold.Locked = await hold.AdvisoryLockAsync("pg_try_advisory_lock", ct);
                if (!hold.Locked)
                {
                    await hold.DisposeAsync();
                    return null;
                }
            }

            return hold;
        }
        catch
        {
            await hold.DisposeAsync();
            throw;
        }
    }

    private sealed class Hold(DispatchLedgerDbContext db, DispatchesInFlight inFlight, long lockId) : IAsyncDisposable
    {
        public bool ConnectionOpen { get; set; }

        public bool Locked { get; set; }

        public async Task<bool> AdvisoryLockAsync(string function, CancellationToken ct)
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = $"SELECT {function}(@id)";
            var id = command.CreateParameter();
            id.ParameterName = "id";
            id.Value = lockId;
            command.Parameters.Add(id);
            return await command.ExecuteScalarAsync(ct) is true;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (Locked)
                {
                    // A broken connection took the lock with it; the pool also resets a returned session.
                    await AdvisoryLockAsync("pg_advisory_unlock", CancellationToken.None);
                }
            }
            catch (DbException)
            {
            }
            finally
            {
                if (ConnectionOpen)
                {
                    await db.Database.CloseConnectionAsync();
                }

                inFlight.Exit(lockId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatch of notice {NoticeId} on {Channel} is already {State}: its outcome is replayed, the provider is not called")]
    private partial void LogReplayed(Guid noticeId, string channel, DispatchState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch of notice {NoticeId} on {Channel} was claimed at {ClaimedAt} by an attempt that never finished: outcome unknown, the provider is not called again")]
    private partial void LogOutcomeUnknown(Guid noticeId, string channel, DateTimeOffset claimedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The provider call for notice {NoticeId} on {Channel} ended without an answer ({Error}): the dispatch stays SENDING")]
    private partial void LogNoAnswer(Guid noticeId, string channel, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The provider accepted notice {NoticeId} on {Channel} but SENT could not be recorded ({Error})")]
    private partial void LogSentNotRecorded(Guid noticeId, string channel, string error);
}

/// <summary>The dispatches this process is calling a provider for right now (see <see cref="DispatchLedger"/>).</summary>
public sealed class DispatchesInFlight
{
    private readonly ConcurrentDictionary<long, byte> _keys = new();

    public bool TryEnter(long key) => _keys.TryAdd(key, 0);

    public void Exit(long key) => _keys.TryRemove(key, out _);
}
