namespace Notifiche.Dispatch.Ledger;

public enum DispatchState
{
    /// <summary>Claimed: the request is being (or was, by an attempt that never finished) handed to the provider.</summary>
    Sending,

    /// <summary>The provider accepted it; <see cref="DispatchRecord.ProviderMessageId"/> is its id.</summary>
    Sent,

    /// <summary>Final failure: a permanent rejection, or an attempt whose outcome cannot be known.</summary>
    Failed,
}

/// <summary>
/// One provider call for one notice, channel and address (a device token, for push). The address is kept only as a
/// keyed pseudonym (<see cref="AddressKey"/>): the ledger can tell a redelivery apart without holding the address.
/// </summary>
public sealed class DispatchRecord
{
    public required Guid NoticeId { get; init; }

    public required string Channel { get; init; }

    /// <summary>HMAC-SHA256 of the address under <see cref="DispatchLedgerOptions.AddressKey"/>, hex.</summary>
    public required string AddressKey { get; init; }

    public DispatchState State { get; set; }

    public string? ProviderMessageId { get; set; }

    /// <summary>Billed units (SMS segments), when the channel has them.</summary>
    public int? Segments { get; set; }

    /// <summary>Length of the <c>reason</c> column: a longer reason (a provider's whole answer) is cut to it.</summary>
    public const int ReasonMaxLength = 512;

    /// <summary>Length of the <c>provider_message_id</c> column (the gateway's channel status holds as much).</summary>
    public const int ProviderMessageIdMaxLength = 512;

    /// <summary>Why it failed: provider codes only, never the address or content.</summary>
    public string? Reason { get; set; }

    /// <summary>The provider said this address itself is dead (an unregistered push token): the profile should drop it.</summary>
    public bool AddressRejected { get; set; }

    public DateTimeOffset ClaimedAt { get; set; }

    /// <summary>The process calling the provider for a <c>SENDING</c> record (<see cref="DispatchOwner"/>).</summary>
    public string? Owner { get; set; }

    /// <summary>
    /// Until when <see cref="Owner"/> vouches for a <c>SENDING</c> record: renewed while its provider call runs, so a
    /// record past it belongs to an attempt that died mid-call.
    /// </summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}
