using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifiche.Persistence;

namespace Notifiche.Dispatch.Ledger;

/// <summary>
/// Makes a provider call happen at most once per notice, channel and address, however often the command is delivered.
/// <list type="number">
/// <item>Look (once the claim below was refused: a first delivery goes straight to it): a redelivered command finds the earlier attempt's record. <c>SENT</c> → the same success again, without
/// calling; <c>FAILED</c> → the same failure; <c>SENDING</c> under a live lease → another attempt is calling right now:
/// wait for its outcome; <c>SENDING</c> past its lease → an attempt that died after handing its request over: the
/// provider may or may not have it, so it is not called again — the dispatch fails with <see cref="OutcomeUnknown"/>.</item>
/// <item>Claim, at the hand-off: the sender calls the <see cref="ProviderHandOff"/> only once it holds what it needs to
/// reach the provider (a connected SMTP client, an HTTP request about to be sent); the <c>SENDING</c> record is
/// committed then, with this process as its owner and a lease the attempt renews while the call runs. Waiting for a pool
/// connection or a rate-limit permit claims nothing, so a crash there leaves nothing to be unsure about.</item>
/// <item>Record: accepted → <c>SENT</c> with the provider's id; rejected for good → <c>FAILED</c> with the reason;
/// <see cref="DeliveryResult.Transient"/> (proof the provider did not take it) → the claim is released and a retry may
/// call again; <see cref="DeliveryResult.Unknown"/>, an exception or a cancellation after the hand-off → <c>FAILED</c>
/// with <see cref="OutcomeUnknown"/>.</item>
/// </list>
/// No database connection is held during the provider call: a database restart mid-call costs nothing but a renewal,
/// and the outcome is written on a fresh connection. An outcome is UNKNOWN only when the request may have reached the
/// provider: the process died (or was stopped past its shutdown timeout) between the hand-off and the answer, or the
/// answer itself says nothing (a timeout or a dropped connection after the request was written, a 5xx from a gateway).
/// </summary>
public sealed partial class DispatchLedger(
    DispatchLedgerDbContext db, DispatchOwner owner, LedgerWriter writer, IOptions<DispatchLedgerOptions> options, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<DispatchLedger> logger)
{
    /// <summary>Reason of a dispatch whose request may have reached the provider without an answer: it is not called again.</summary>
    public const string OutcomeUnknown = "DISPATCH_OUTCOME_UNKNOWN";

    /// <summary>Transient reason: another attempt has been calling the provider for this very dispatch for too long.</summary>
    public const string InProgress = "DISPATCH_IN_PROGRESS";

    private const int WriteAttempts = 4;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private TimeSpan Lease => options.Value.Lease;

    // For the attempts (a nested class cannot reach the primary constructor's parameters).
    private DispatchLedgerDbContext Db => db;
    private DispatchOwner Owner => owner;
    private LedgerWriter Writer => writer;
    private TimeProvider Clock => clock;

    /// <summary>
    /// Calls <paramref name="send"/> unless this dispatch already has an outcome, and returns the outcome either way. The
    /// sender must call the hand-off it is given right before its request can reach the provider, and send nothing when
    /// it answers false.
    /// </summary>
    public async Task<DeliveryResult> DispatchOnceAsync(
        DispatchRequest request, Func<ProviderHandOff, CancellationToken, Task<DeliveryResult>> send, CancellationToken ct)
    {
        var key = new DispatchKey(request.NoticeId, request.Channel, AddressKeyOf(request));
        var waitUntil = clock.GetUtcNow() + 2 * Lease;
        // The first pass does not look: nearly every command is delivered once, and the claim itself refuses a dispatch
        // that has a record, so a first delivery costs one database command less. A refused claim looks; so does a
        // first pass that handed nothing over (a redelivered command whose provider is away now still replays its outcome).
        var firstPass = true;
        while (true)
        {
            db.ChangeTracker.Clear();
            var looks = !firstPass;
            firstPass = false;
            if (looks && await FindAsync(key, ct) is { } earlier)
            {
                if (await OutcomeOfAsync(earlier, request.ResendSafe) is { } outcome)
                {
                    return outcome;
                }

                // A live attempt (a duplicate delivered at the same time, or a process that is still finishing) holds it.
                if (clock.GetUtcNow() > waitUntil)
                {
                    return new DeliveryResult.Transient(InProgress);
                }

                await Task.Delay(PollInterval, clock, ct);
                continue;
            }

            await using var attempt = new Attempt(this, key, request.Segments);
            using var call = new ProviderCallToken(ct, lifetime.ApplicationStopping);
            DeliveryResult result;
            try
            {
                result = await send(attempt.HandOffAsync, call.Token);
            }
            catch (Exception e) when (attempt.Claimed)
            {
                // The request was handed over and no answer came back: it may have left.
                LogNoAnswer(key.NoticeId, key.Channel, e.GetType().Name);
                await attempt.StopRenewingAsync();
                await CompleteAsync(key, new DeliveryResult.Unknown(e.GetType().Name));
                throw;
            }
            catch (Exception) when (!looks)
            {
                // Failed before handing anything over; an earlier delivery may have the outcome.
                if (await RecordedOutcomeAsync(key, request.ResendSafe) is { } outcome)
                {
                    return outcome;
                }

                throw;
            }

            if (attempt.Refused)
            {
                continue; // another attempt claimed it first (or long ago): its outcome is ours
            }

            if (!attempt.Claimed)
            {
                // Nothing was handed over (no connection, circuit open): nothing to record, unless an earlier delivery has the outcome.
                return !looks && await RecordedOutcomeAsync(key, request.ResendSafe) is { } outcome ? outcome : result;
            }

            await attempt.StopRenewingAsync();
            return await CompleteAsync(key, result);
        }
    }

    private async Task<DeliveryResult?> RecordedOutcomeAsync(DispatchKey key, bool resendSafe)
    {
        db.ChangeTracker.Clear();
        return await FindAsync(key, CancellationToken.None) is { State: not DispatchState.Sending } recorded
            ? await OutcomeOfAsync(recorded, resendSafe)
            : null;
    }

    private Task<DispatchRecord?> FindAsync(DispatchKey key, CancellationToken ct) =>
        db.Dispatches.AsNoTracking().SingleOrDefaultAsync(
            d => d.NoticeId == key.NoticeId && d.Channel == key.Channel && d.AddressKey == key.AddressKey, ct);

    /// <summary>
    /// The outcome an earlier attempt's record stands for, or null to look again: while a live attempt holds it, or once
    /// a dead attempt's claim on a <paramref name="resendSafe"/> provider was released.
    /// </summary>
    private async Task<DeliveryResult?> OutcomeOfAsync(DispatchRecord record, bool resendSafe)
    {
        switch (record.State)
        {
            case DispatchState.Sent:
                LogReplayed(record.NoticeId, record.Channel, record.State);
                return new DeliveryResult.Sent(record.ProviderMessageId);
            case DispatchState.Failed:
                LogReplayed(record.NoticeId, record.Channel, record.State);
                return new DeliveryResult.Permanent(record.Reason ?? OutcomeUnknown) { AddressRejected = record.AddressRejected };
        }

        var ours = record.Owner == owner.Id;
        if (ours ? owner.IsCalling(KeyOf(record)) : record.LeaseUntil > clock.GetUtcNow())
        {
            return null;
        }

        // Past its lease (or ours, with no attempt of this process left on it): the owner died after the hand-off. Only
        // if nobody renewed it meanwhile, so a slow but live owner is never declared dead.
        var observed = record.LeaseUntil;
        var dead = db.Dispatches.Where(d => d.NoticeId == record.NoticeId && d.Channel == record.Channel && d.AddressKey == record.AddressKey
                                            && d.State == DispatchState.Sending && d.LeaseUntil == observed);
        if (resendSafe)
        {
            await dead.ExecuteDeleteAsync(CancellationToken.None);
            return null;
        }

        var failed = await dead
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, DispatchState.Failed)
                .SetProperty(d => d.Reason, OutcomeUnknown)
                .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(d => d.CompletedAt, clock.GetUtcNow()), CancellationToken.None);
        if (failed == 0)
        {
            return null; // it changed under us: look again
        }

        LogOutcomeUnknown(record.NoticeId, record.Channel, record.ClaimedAt);
        return new DeliveryResult.Permanent(OutcomeUnknown);
    }

    /// <summary>
    /// Writes the outcome of our own claim, whatever the consumer's token says (the provider has answered, and that answer
    /// must not be lost to a shutdown), retrying on a fresh connection when the database connection broke meanwhile.
    /// </summary>
    private async Task<DeliveryResult> CompleteAsync(DispatchKey key, DeliveryResult result)
    {
        var now = clock.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                switch (result)
                {
                    case DeliveryResult.Sent sent:
                        await writer.RecordAsync(key, owner.Id, OutcomeKind.Sent, now, providerMessageId: sent.ProviderMessageId);
                        return result;
                    case DeliveryResult.Permanent failed:
                        await writer.RecordAsync(key, owner.Id, OutcomeKind.Failed, now, reason: Truncate(failed.Reason), addressRejected: failed.AddressRejected);
                        return result;
                    case DeliveryResult.Unknown unknown:
                        var reason = Truncate($"{OutcomeUnknown}: {unknown.Reason}");
                        await writer.RecordAsync(key, owner.Id, OutcomeKind.Failed, now, reason: reason);
                        return new DeliveryResult.Permanent(reason);
                    default:
                        await writer.RecordAsync(key, owner.Id, OutcomeKind.Released, now);
                        return result;
                }
            }
            catch (Exception e) when (e is DbException or InvalidOperationException && attempt < WriteAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), clock);
            }
            catch (Exception e) when (e is DbException or InvalidOperationException && result is DeliveryResult.Sent)
            {
                // The provider has it: report the success rather than retry a send that happened.
                LogSentNotRecorded(key.NoticeId, key.Channel, e.GetType().Name);
                return result;
            }
        }
    }

    // A provider's message can be any length: cut to the column (never through a surrogate pair, which PostgreSQL's
    // encoder refuses), or recording the outcome would fail on every redelivery.
    private static string Truncate(string reason) => ColumnText.Cut(reason, DispatchRecord.ReasonMaxLength)!;

    /// <summary>The pseudonym a ledger keyed with <paramref name="key"/> stores for an address (for SREs' look-ups and tests).</summary>
    public static string AddressKeyOf(string key, string channel, string address) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{channel}:{address}")));

    private string AddressKeyOf(DispatchRequest request) => AddressKeyOf(options.Value.AddressKey, request.Channel, request.Address);

    private static DispatchKey KeyOf(DispatchRecord record) => new(record.NoticeId, record.Channel, record.AddressKey);

    /// <summary>One attempt's claim: made at the hand-off, its lease renewed until the provider has answered.</summary>
    private sealed class Attempt(DispatchLedger ledger, DispatchKey key, int? segments) : IAsyncDisposable
    {
        private CancellationTokenSource? _renewing;
        private Task _renewal = Task.CompletedTask;

        public bool Claimed { get; private set; }

        public bool Refused { get; private set; }

        public async ValueTask<bool> HandOffAsync(CancellationToken ct)
        {
            if (Claimed)
            {
                return true; // the sender's own retry of a request the provider proved it did not take
            }

            var now = ledger.Clock.GetUtcNow();
            ledger.Owner.Enter(key);
            try
            {
                // A record already there (a concurrent attempt's claim, or an earlier delivery's outcome) refuses it
                // without an exception: a redelivery is routine, not an error in the log.
                var claimed = await ledger.Writer.ClaimAsync(key, segments, ledger.Owner.Id, now, now + ledger.Lease, ct);
                if (!claimed)
                {
                    ledger.Owner.Exit(key);
                    Refused = true;
                    return false;
                }
            }
            catch
            {
                ledger.Owner.Exit(key);
                throw;
            }

            Claimed = true;
            _renewing = new CancellationTokenSource();
            _renewal = RenewAsync(_renewing.Token);
            return true;
        }

        private async Task RenewAsync(CancellationToken stop)
        {
            var db = ledger.Db;
            var ownerId = ledger.Owner.Id;
            while (true)
            {
                // Nearly every call ends before the first renewal: stopping must not cost an exception per dispatch (issue 15).
                await Task.Delay(ledger.Lease / 3, ledger.Clock, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                try
                {
                    var until = ledger.Clock.GetUtcNow() + ledger.Lease;
                    await db.Dispatches
                        .Where(d => d.NoticeId == key.NoticeId && d.Channel == key.Channel && d.AddressKey == key.AddressKey
                                    && d.Owner == ownerId && d.State == DispatchState.Sending)
                        .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, until), stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is DbException or InvalidOperationException)
                {
                    // The database is away: try again at the next tick; a lapsed lease only risks an UNKNOWN, never a resend.
                }
            }
        }

        /// <summary>Stops renewing before the ledger writes the outcome (the two never share the connection at once).</summary>
        public async Task StopRenewingAsync()
        {
            if (_renewing is { IsCancellationRequested: false } renewing)
            {
                await renewing.CancelAsync();
                await _renewal;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopRenewingAsync();
            _renewing?.Dispose();
            if (Claimed)
            {
                ledger.Owner.Exit(key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatch of notice {NoticeId} on {Channel} is already {State}: its outcome is replayed, the provider is not called")]
    private partial void LogReplayed(Guid noticeId, string channel, DispatchState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch of notice {NoticeId} on {Channel} was handed to its provider at {ClaimedAt} by an attempt that never finished: outcome unknown, the provider is not called again")]
    private partial void LogOutcomeUnknown(Guid noticeId, string channel, DateTimeOffset claimedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The provider call for notice {NoticeId} on {Channel} ended without an answer ({Error}): outcome unknown")]
    private partial void LogNoAnswer(Guid noticeId, string channel, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The provider accepted notice {NoticeId} on {Channel} but SENT could not be recorded ({Error})")]
    private partial void LogSentNotRecorded(Guid noticeId, string channel, string error);
}

/// <summary>
/// The token a provider call runs under. A consume is cancelled when its broker channel goes away (a RabbitMQ node lost)
/// as well as at shutdown; only the second should abandon a call: after the first, the call finishes and its outcome is
/// recorded, and the command the broker redelivers finds it (waiting while this attempt still runs). So the call is
/// cancelled once the consume is cancelled while the host is stopping — past <c>Messaging:ShutdownTimeout</c>.
/// </summary>
internal sealed class ProviderCallToken : IDisposable
{
    private readonly CancellationTokenSource _call = new();
    private readonly CancellationToken _consume;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenRegistration _onConsume;
    private readonly CancellationTokenRegistration _onStopping;

    public ProviderCallToken(CancellationToken consume, CancellationToken stopping)
    {
        _consume = consume;
        _stopping = stopping;
        _onConsume = consume.Register(CancelIfStopping);
        _onStopping = stopping.Register(CancelIfStopping);
    }

    public CancellationToken Token => _call.Token;

    private void CancelIfStopping()
    {
        if (_consume.IsCancellationRequested && _stopping.IsCancellationRequested)
        {
            _call.Cancel();
        }
    }

    public void Dispose()
    {
        _onConsume.Dispose();
        _onStopping.Dispose();
        _call.Dispose();
    }
}

/// <summary>One dispatch: a notice, a channel and the pseudonym of the address.</summary>
public readonly record struct DispatchKey(Guid NoticeId, string Channel, string AddressKey);
