using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Notifiche.Contracts;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Observability;
using Notifiche.Gateway.Registry;
using Notifiche.Gateway.Templates;
using Notifiche.ServiceDefaults;

namespace Notifiche.Gateway.Ingress;

/// <summary>The answer to one broker submission: exactly one of the two is set.</summary>
public sealed record IngressOutcome(NoticeSubmissionAccepted? Accepted, NoticeSubmissionRejected? Rejected);

/// <summary>
/// Accepts a <see cref="SubmitNotice"/> published by a service's broker user: the same validator and the same store as
/// <c>POST /api/v1/notices</c>, so a notice is accepted or refused for the same reasons whichever way it came in.
/// </summary>
public sealed class BrokerIngress(ServiceRegistry registry, NoticeStore store, RateLimiter rateLimiter, GatewayMetrics metrics, TimeProvider clock,
    GatewayDbContext db, ILogger<BrokerIngress> logger)
{
    public async Task<IngressOutcome> SubmitAsync(string brokerUser, SubmitNotice message, CancellationToken ct)
    {
        if (message.ServiceId != brokerUser)
        {
            return Reject(brokerUser, message.SubmissionId, SubmissionRejections.ServiceMismatch,
                $"The message claims service '{message.ServiceId}' but was published by broker user '{brokerUser}'; "
                + "a service submits only as itself: set service_id to your own service id.");
        }

        var service = await registry.FindAsync(brokerUser, ct);
        if (service is null)
        {
            return Reject(brokerUser, message.SubmissionId, SubmissionRejections.UnknownService,
                $"Broker user '{brokerUser}' is not a registered service; ask the platform operator to register it.");
        }

        // The service's rate limit, the same token bucket as POST /api/v1/notices (issue 16, point 2), taken at the same
        // point (before the notice is validated); the daily quota and SMS budget are the notice store's, as for HTTP.
        if (await rateLimiter.TryTakeAsync(service, ct) is { } retryAfter)
        {
            metrics.Refused(service.Id, RefusalCodes.RateLimited);
            return Reject(brokerUser, message.SubmissionId, RefusalCodes.RateLimited,
                $"This service may send {service.RatePerSecond:0.###} notices per second (bursts of {service.RateBurst}); "
                + $"nothing was stored: submit again in {(int)retryAfter.TotalSeconds} s.");
        }

        // A template notice as over HTTP: the service's own template, rendered at acceptance (issue 18, point 5).
        var template = message.TemplateId is { } templateId ? await db.FindTemplateAsync(service.Id, templateId, ct) : null;
        var (valid, errors) = NoticeValidator.Validate(ToRequest(message), clock.GetUtcNow(), template, service.AllowedChannels);
        if (message.IdempotencyKey is not null && IdempotencyKeys.Validate(message.IdempotencyKey) is { } keyProblem)
        {
            errors["idempotency_key"] = [keyProblem];
        }

        if (valid is null || errors.Count > 0)
        {
            return Reject(brokerUser, message.SubmissionId, SubmissionRejections.InvalidNotice, "The notice is not valid; nothing was stored.", errors);
        }

        switch (await store.AcceptAsync(service, valid, message.IdempotencyKey ?? SubmissionKey(message.SubmissionId), ct))
        {
            case Acceptance.Accepted accepted:
                return Accept(service.Id, message, accepted.NoticeId, replayed: false);
            case Acceptance.Replayed replayed:
                return Accept(service.Id, message, replayed.NoticeId, replayed: true);
            case Acceptance.Refused { Refusal: var refusal }:
                // The same governance as the HTTP path (suspended, sandbox recipients, daily quota): its code is the reason.
                return Reject(brokerUser, message.SubmissionId, refusal.Code, refusal.Detail,
                    refusal.Field is { } field ? new Dictionary<string, string[]> { [field] = [refusal.Title] } : null);
            default:
                return Reject(brokerUser, message.SubmissionId, SubmissionRejections.IdempotencyKeyConflict,
                    "This idempotency key (or, without one, this submission id) was used in the last 24 hours for a different notice; "
                    + "use a new one for a new notice.");
        }
    }

    /// <summary>
    /// Without an idempotency key, the submission id is one: a message the broker redelivers (the gateway died between
    /// the commit and the acknowledgement, or the reply could not be published) finds its notice instead of making a
    /// second. Hashed, so any submission id the service uses fits the key's format.
    /// </summary>
    private static string? SubmissionKey(string? submissionId) => string.IsNullOrEmpty(submissionId)
        ? null
        : $"submission:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(submissionId)))}";

    /// <summary>
    /// A plain-JSON submission that is not a <see cref="SubmitNotice"/> as read strictly: a member it does not have (a misspelt
    /// field, one a later version may add) or a value not of its member's type. Rejected naming the member as the message
    /// spells it (<c>urgent</c>, <c>escalation[0]</c>), as <c>POST /api/v1/notices</c> answers 400 naming the field; never
    /// silently ignored, never left without a reply.
    /// </summary>
    public IngressOutcome Unreadable(string brokerUser, string? submissionId, string field, string problem) =>
        Reject(brokerUser, submissionId, SubmissionRejections.InvalidNotice,
            problem == JsonBodyErrors.UnknownMember
                ? $"The message has a member '{field}' SubmitNotice does not know; remove it or correct its spelling. Nothing was stored."
                : $"The member '{field}' does not have the type SubmitNotice gives it (see the AsyncAPI document). Nothing was stored.",
            new Dictionary<string, string[]> { [field] = [problem] }, namedAsInMessage: true);

    private static SubmitNoticeRequest ToRequest(SubmitNotice m) => new()
    {
        FiscalCode = m.FiscalCode,
        Content = m.Content is null ? null : new NoticeContentRequest { Subject = m.Content.Subject, Markdown = m.Content.Markdown, DueDate = m.Content.DueDate },
        TemplateId = m.TemplateId,
        Personalisation = m.Personalisation is null ? null : new Dictionary<string, string>(m.Personalisation),
        TimeToLive = m.TimeToLive,
        SendAt = m.SendAt,
        Urgent = m.Urgent,
        Reminders = m.Reminders,
        Escalation = m.Escalation?.Select(e => e is null ? null : new EscalationStepRequest { After = e.After, Channels = e.Channels }).ToList(),
        Sensitive = m.Sensitive,
        HoldUntilRegistered = m.HoldUntilRegistered,
        DefaultAddresses = m.DefaultAddresses is null ? null : new DefaultAddressesRequest { Email = m.DefaultAddresses.Email },
        Category = m.Category,
        Reference = m.Reference,
        Protocol = m.Protocol is null ? null : new ProtocolRequest { Number = m.Protocol.Number, Date = m.Protocol.Date },
    };

    private IngressOutcome Accept(string serviceId, SubmitNotice message, Guid noticeId, bool replayed) =>
        new(new NoticeSubmissionAccepted
        {
            SubmissionId = message.SubmissionId, ServiceId = serviceId, NoticeId = noticeId, Replayed = replayed, AcceptedAt = clock.GetUtcNow(),
        }, null);

    private IngressOutcome Reject(string brokerUser, string? submissionId, string reason, string detail,
        Dictionary<string, string[]>? errors = null, bool namedAsInMessage = false)
    {
        logger.LogWarning("Broker submission of {ServiceId} rejected: {Reason}", brokerUser, reason);
        return new(null, new NoticeSubmissionRejected
        {
            SubmissionId = submissionId,
            ServiceId = brokerUser,
            Reason = reason,
            Detail = detail,
            // The validator names fields as the HTTP body spells them (snake_case); the message spells them camelCase.
            Errors = (errors ?? []).ToDictionary(e => namedAsInMessage ? e.Key : MessageMemberName(e.Key), e => e.Value),
            RejectedAt = clock.GetUtcNow(),
        });
    }

    private static string MessageMemberName(string jsonPath) =>
        // A placeholder's name is the template's, not a member of the message: personalisation.due_on stays so.
        jsonPath.StartsWith("personalisation.", StringComparison.Ordinal) ? jsonPath :
        string.Join('.', jsonPath.Split('.').Select(segment => JsonNamingPolicy.CamelCase.ConvertName(
            string.Concat(segment.Split('_').Select(word => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..])))));
}
