using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using Notifiche.Contracts;
using Notifiche.Gateway.Registry;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;
using MassTransit.Serialization;

namespace Notifiche.Gateway.Ingress;

/// <summary>
/// A broker submission: the publishing broker user (the AMQP <c>user_id</c> property, which RabbitMQ verifies against
/// the connection's user) is the service. A message without it cannot be answered or trusted: it goes to
/// <c>submit-notice_error</c> with the reason, for the SREs.
/// </summary>
public sealed class SubmitNoticeConsumer(BrokerIngress ingress) : IConsumer<SubmitNotice>
{
    public async Task Consume(ConsumeContext<SubmitNotice> context)
    {
        var user = context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var amqp) ? amqp.Properties.UserId : null;
        if (string.IsNullOrEmpty(user) || !ServiceIds.IsValid(user))
        {
            throw new PermanentFailureException(
                "SubmitNotice without a valid AMQP user_id property: publish it with user_id set to your broker user (your service id).");
        }

        var outcome = UnknownMember(context) is { } member
            ? ingress.UnknownMember(user, context.Message, member)
            : await ingress.SubmitAsync(user, context.Message, context.CancellationToken);
        var replies = await context.GetSendEndpoint(IngressTopology.ReplyAddress(user));
        // Plain JSON is answered with plain JSON (no envelope: it would also tell the service the gateway's host name,
        // process id and versions); a MassTransit client gets the envelope it sent.
        var plain = IsPlainJson(context);
        if (outcome.Accepted is { } accepted)
        {
            await replies.Send(accepted, send => AnswerInKind(send, plain), context.CancellationToken);
        }
        else
        {
            await replies.Send(outcome.Rejected!, send => AnswerInKind(send, plain), context.CancellationToken);
        }
    }

    private static void AnswerInKind<T>(SendContext<T> send, bool plain)
        where T : class
    {
        if (!plain)
        {
            return;
        }

        send.Serializer = PlainReplies;
        // Without an envelope the reply's kind travels as the AMQP type property: NoticeSubmissionAccepted or NoticeSubmissionRejected.
        if (send.TryGetPayload<RabbitMqSendContext>(out var amqp))
        {
            amqp.BasicProperties.Type = typeof(T).Name;
        }
    }

    private static bool IsPlainJson(ConsumeContext context) => context.ReceiveContext.ContentType?.MediaType == PlainJson;

    /// <summary>
    /// The reply body is the message alone (camelCase, like the submission), without MassTransit's transport headers
    /// (<c>MT-Host-Info</c> would name the gateway's machine, process and versions; <c>MT-Source-Address</c> its broker).
    /// </summary>
    private static readonly SystemTextJsonRawMessageSerializer PlainReplies = new(default(RawSerializerOptions));
    /// <summary>
    /// MassTransit reads plain JSON leniently (and must: services exchange messages across versions), so a plain-JSON
    /// submission is read once more, strictly, to find a member <see cref="SubmitNotice"/> does not have.
    /// </summary>
    private static string? UnknownMember(ConsumeContext context)
    {
        if (!IsPlainJson(context))
        {
            return null;
        }

        try
        {
            JsonSerializer.Deserialize<SubmitNotice>(context.ReceiveContext.Body.GetBytes(), Strict);
            return null;
        }
        catch (JsonException e) when (JsonBodyErrors.Describe(e) is (var member, JsonBodyErrors.UnknownMember))
        {
            return member;
        }
    }

    private const string PlainJson = "application/json";

    private static readonly JsonSerializerOptions Strict =
        new(SystemTextJsonMessageSerializer.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
}

public sealed class SubmitNoticeConsumerDefinition : ConsumerDefinition<SubmitNoticeConsumer>
{
    public SubmitNoticeConsumerDefinition() => EndpointName = IngressTopology.Queue;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<SubmitNoticeConsumer> consumer,
        IRegistrationContext context)
    {
        // Services that do not use MassTransit publish plain JSON (content type application/json); MassTransit clients their envelope.
        endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType | RawSerializerOptions.AddTransportHeaders, isDefault: false);
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.Bind(IngressTopology.Exchange);
        }
    }
}
