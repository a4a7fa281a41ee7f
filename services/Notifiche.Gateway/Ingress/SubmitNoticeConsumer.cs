using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MassTransit;
using Notifiche.Contracts;
using Notifiche.Gateway.Registry;
using Notifiche.Messaging;
using Notifiche.ServiceDefaults;
using MassTransit.Configuration;
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
        var user = BrokerUser(context) ?? throw new PermanentFailureException(
            "SubmitNotice without a valid AMQP user_id property: publish it with user_id set to your broker user (your service id).");
        await ReplyAsync(context, user, await ingress.SubmitAsync(user, context.Message, context.CancellationToken));
    }

    /// <summary>The publishing broker user, which RabbitMQ verified: the service; null when absent or not a service id.</summary>
    internal static string? BrokerUser(ConsumeContext context) =>
        context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var amqp) && amqp.Properties.UserId is { Length: > 0 } user
            && ServiceIds.IsValid(user) ? user : null;

    /// <summary>Answers on the service's reply exchange.</summary>
    internal static async Task ReplyAsync(ConsumeContext context, string user, IngressOutcome outcome)
    {
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

    internal static bool IsPlainJson(ConsumeContext context) => context.ReceiveContext.ContentType?.MediaType == PlainJson;

    /// <summary>
    /// The reply body is the message alone (camelCase, like the submission), without MassTransit's transport headers
    /// (<c>MT-Host-Info</c> would name the gateway's machine, process and versions; <c>MT-Source-Address</c> its broker).
    /// </summary>
    private static readonly SystemTextJsonRawMessageSerializer PlainReplies = new(default(RawSerializerOptions));
    private const string PlainJson = "application/json";
}

/// <summary>
/// MassTransit reads plain JSON leniently (and must: services exchange messages across versions), and a value of the wrong
/// type fails its typed read before any consumer runs — the message would end in <c>submit-notice_error</c> and the service
/// would get no reply. So a plain-JSON submission from a service is first read strictly here: a member
/// <see cref="SubmitNotice"/> does not have, or a value not of its member's type, is answered with a rejection naming the
/// member (<see cref="BrokerIngress.Unreadable"/>) and the message is consumed; a readable one goes on to
/// <see cref="SubmitNoticeConsumer"/>. A message without a valid <c>user_id</c> cannot be answered and goes on too (its
/// consumer sends it to the error queue with the reason).
/// </summary>
public sealed class StrictSubmissionFilter(IServiceProvider services) : IFilter<ConsumeContext>
{
    private static readonly JsonSerializerOptions Strict =
        new(SystemTextJsonMessageSerializer.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        if (SubmitNoticeConsumer.IsPlainJson(context) && SubmitNoticeConsumer.BrokerUser(context) is { } user
            && Unreadable(context.ReceiveContext.Body.GetBytes()) is { } problem
            && context.TryGetMessage<JsonObject>(out var raw))
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await using var scope = services.CreateAsyncScope();
            var submissionId = raw.Message["submissionId"] is JsonValue id && id.TryGetValue<string>(out var text) ? text : null;
            var outcome = scope.ServiceProvider.GetRequiredService<BrokerIngress>().Unreadable(user, submissionId, problem.Field, problem.Message);
            await SubmitNoticeConsumer.ReplyAsync(context, user, outcome);
            // Answered: consumed, not "skipped" (no consumer ran) nor faulted.
            await context.NotifyConsumed(raw, System.Diagnostics.Stopwatch.GetElapsedTime(started), nameof(StrictSubmissionFilter));
            return;
        }

        await next.Send(context);
    }

    private static (string Field, string Message)? Unreadable(byte[] body)
    {
        try
        {
            JsonSerializer.Deserialize<SubmitNotice>(body, Strict);
            return null;
        }
        catch (JsonException e)
        {
            return JsonBodyErrors.Describe(e);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("strictSubmission");
}

public sealed class SubmitNoticeConsumerDefinition : ConsumerDefinition<SubmitNoticeConsumer>
{
    public SubmitNoticeConsumerDefinition() => EndpointName = IngressTopology.Queue;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<SubmitNoticeConsumer> consumer,
        IRegistrationContext context)
    {
        // Services that do not use MassTransit publish plain JSON (content type application/json); MassTransit clients their envelope.
        endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType | RawSerializerOptions.AddTransportHeaders, isDefault: false);
        // Before the typed read (a pre-pipe filter): a value of the wrong type fails that read before any consumer filter runs.
        endpoint.AddPrePipeSpecification(new FilterPipeSpecification<ConsumeContext>(new StrictSubmissionFilter(context)));
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.Bind(IngressTopology.Exchange);
        }
    }
}
