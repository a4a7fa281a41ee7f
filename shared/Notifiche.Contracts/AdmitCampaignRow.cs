namespace Notifiche.Contracts;

/// <summary>
/// A released campaign row on its way to admission, on the gateway's own <c>campaign-admission</c> queue (gateway-internal:
/// published and consumed by the gateway, never by a sending service). Carries the row's personal data, like
/// <see cref="NoticeSubmitted"/> carries a notice's. A contract like the others so that the broker users and the
/// deployment's permissions name its exchange (<c>Notifiche.Contracts:AdmitCampaignRow</c>) and its queue is bound when it
/// is published, before a consumer has ever started.
/// </summary>
public sealed record AdmitCampaignRow
{
    public required Guid CampaignId { get; init; }
    public required int RowNumber { get; init; }
    public required string FiscalCode { get; init; }
    public required Dictionary<string, string> Personalisation { get; init; }
}
