namespace Notifiche.Dispatching;

/// <summary>
/// One provider call to make at most once: the notice, the channel and the address (email address, phone number,
/// device token) it goes to. <paramref name="Segments"/> are the billed units, kept with the record.
/// </summary>
public sealed record DispatchRequest(Guid NoticeId, string Channel, string Address, int? Segments = null);
