using Notifiche.Dispatch.Ledger;

namespace Notifiche.Dispatch.Sms.Sending;

/// <summary>One SMS to hand to a provider. <paramref name="To"/> is E.164.</summary>
public sealed record SmsMessage(Guid NoticeId, string To, string Body, int Segments);

/// <summary>Hands an SMS to a provider (Twilio, the sandbox; an Italian provider is another folder under Integrations).</summary>
public interface ISmsSender
{
    /// <summary>Sends one SMS, calling <paramref name="handOff"/> right before the request can reach the provider.</summary>
    Task<DeliveryResult> SendAsync(SmsMessage message, ProviderHandOff handOff, CancellationToken ct);
}
