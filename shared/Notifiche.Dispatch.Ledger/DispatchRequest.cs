namespace Notifiche.Dispatch.Ledger;

/// <summary>
/// One provider call to make at most once: the notice, the channel and the address (email address, phone number,
/// device token) it goes to. <paramref name="Segments"/> are the billed units, kept with the record.
/// <paramref name="ResendSafe"/>: the provider delivers the same request once however often it gets it (the pickup
/// folder overwrites <c>&lt;notice id&gt;.eml</c>), so a claim whose attempt died is retried instead of failed.
/// </summary>
public sealed record DispatchRequest(Guid NoticeId, string Channel, string Address, int? Segments = null, bool ResendSafe = false);
