using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Notifiche.Contracts;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Templates;

namespace Notifiche.Gateway.OpenApi;

/// <summary>
/// The values of every status and reason, per response member, and the examples: taken from the constants the code uses,
/// so the document cannot list a value the gateway does not send.
/// </summary>
internal static class SchemaFacts
{
    private static readonly Dictionary<(Type, string), string[]> Enums = new()
    {
        [(typeof(NoticeStatusResponse), nameof(NoticeStatusResponse.Status))] =
            [NoticeStatus.Scheduled, NoticeStatus.Accepted, NoticeStatus.Held, NoticeStatus.Processed, NoticeStatus.Rejected, NoticeStatus.Cancelled, NoticeStatus.Expired, NoticeStatus.Skipped],
        [(typeof(EscalationStepStatusResponse), nameof(EscalationStepStatusResponse.Status))] =
            [NoticeStatus.Scheduled, NoticeStatus.Accepted, NoticeStatus.Processed, NoticeStatus.Rejected, NoticeStatus.Cancelled, NoticeStatus.Skipped],
        [(typeof(EscalationStepStatusResponse), nameof(EscalationStepStatusResponse.Outcome))] =
            [EscalationOutcomes.Pending, EscalationOutcomes.Done, EscalationOutcomes.SkippedRead, EscalationOutcomes.SkippedSmsBudget, EscalationOutcomes.Cancelled],
        [(typeof(ReminderStatusResponse), nameof(ReminderStatusResponse.Status))] =
            [NoticeStatus.Scheduled, NoticeStatus.Accepted, NoticeStatus.Held, NoticeStatus.Processed, NoticeStatus.Rejected, NoticeStatus.Cancelled, NoticeStatus.Expired],
        [(typeof(NoticeStatusResponse), nameof(NoticeStatusResponse.RejectionReason))] =
            [RejectionReasons.UserNotFound, RejectionReasons.ServiceBlocked, RejectionReasons.NoChannel, RejectionReasons.Expired],
        [(typeof(NoticeStatusResponse), nameof(NoticeStatusResponse.ReadStatus))] = [ReadStatus.Read, ReadStatus.Unread, ReadStatus.Unavailable],
        [(typeof(ChannelStatusResponse), nameof(ChannelStatusResponse.Channel))] = [.. Channels.All],
        [(typeof(ChannelStatusResponse), nameof(ChannelStatusResponse.Status))] =
            [ChannelStatus.Pending, ChannelStatus.Deferred, ChannelStatus.Throttled, ChannelStatus.Sent, ChannelStatus.Failed, ChannelStatus.Expired],
        [(typeof(OmittedChannelResponse), nameof(OmittedChannelResponse.Channel))] = [.. Channels.All],
        [(typeof(OmittedChannelResponse), nameof(OmittedChannelResponse.Reason))] = [OmissionReasons.SmsBudgetExhausted, OmissionReasons.EscalationStep],
        [(typeof(NoticeSummaryResponse), nameof(NoticeSummaryResponse.Status))] = [.. NoticeListing.Statuses],
        [(typeof(Registry.KeyView), nameof(Registry.KeyView.Type))] = [.. Registry.KeyTypes.All],
        [(typeof(Registry.IssuedKeyView), nameof(Registry.IssuedKeyView.Type))] = [.. Registry.KeyTypes.All],
        [(typeof(Registry.IssueKeyRequest), nameof(Registry.IssueKeyRequest.Type))] = [.. Registry.KeyTypes.All],
    };

    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(SubmitNoticeRequest)] = """
            {"fiscal_code":"RSSMRA85T10A562S","content":{"subject":"La tua carta di identità scade tra 30 giorni",
             "markdown":"La tua **carta di identità** scade il 26/12/2026. Prenota il rinnovo sul [sito del Comune](https://example.it/prenota).",
             "due_date":"2026-12-26"},"time_to_live":604800,"default_addresses":{"email":"mario.rossi@example.it"},"category":"identity-card-expiry",
             "reference":"CIE-2026-000123","protocol":{"number":"0012345","date":"2026-11-26"}}
            """,
        [typeof(TemplateRequest)] = """
            {"name":"Bollo auto in scadenza","languages":{
             "it":{"subject":"Bollo auto per ((targa)) in scadenza","markdown":"Gentile ((nome)), il bollo del veicolo ((targa)) scade il ((scadenza)). Paga su [pagoPA](https://example.it/pagopa)."},
             "de":{"subject":"Kfz-Steuer für ((targa)) bald fällig","markdown":"Sehr geehrte(r) ((nome)), die Kfz-Steuer für ((targa)) ist am ((scadenza)) fällig. Zahlung über [pagoPA](https://example.it/pagopa)."}}}
            """,
        [typeof(TemplatePreviewRequest)] = """{"personalisation":{"nome":"Maria Rossi","targa":"AB123CD","scadenza":"31/01/2027"},"language":"de"}""",
        [typeof(NoticeCreatedResponse)] = """{"id":"0193a5c2-7b1e-7c3d-9f00-2a4b6c8d0e1f"}""",
        [typeof(CallbackRequest)] = """{"url":"https://servizi.comune.example.it/notifiche/callback","secret":"at-least-32-characters-of-shared-secret"}""",
    };

    /// <summary>A notice sent from a template: the second example of the submission.</summary>
    private const string TemplateSubmission = """
        {"fiscal_code":"RSSMRA85T10A562S","template_id":"0193a5c2-7b1e-7c3d-9f00-2a4b6c8d0e20",
         "personalisation":{"nome":"Maria Rossi","targa":"AB123CD","scadenza":"31/01/2027"},"reference":"BOLLO-2027-000123"}
        """;

    /// <summary>Request bodies refuse members they do not have (JsonUnmappedMemberHandling.Disallow).</summary>
    private static readonly HashSet<Type> Closed =
    [
        typeof(SubmitNoticeRequest), typeof(NoticeContentRequest), typeof(DefaultAddressesRequest), typeof(CallbackRequest), typeof(ProtocolRequest),
        typeof(TemplateRequest), typeof(TemplateLanguagesRequest), typeof(TemplateContentRequest), typeof(TemplatePreviewRequest),
    ];

    public static void Apply(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        var type = context.JsonTypeInfo.Type;
        if (context.JsonPropertyInfo is { DeclaringType: var declaring, AttributeProvider: System.Reflection.MemberInfo member }
            && Enums.TryGetValue((declaring, member.Name), out var values))
        {
            schema.Enum = Values(values);
            if (schema.Type is { } kind && kind.HasFlag(JsonSchemaType.Null))
            {
                // A nullable member's enum must list null too, or a validating client would refuse the absent value.
                schema.Enum.Add(null!);
            }
        }

        if (context.JsonPropertyInfo is null && Examples.TryGetValue(type, out var example))
        {
            schema.Examples = [JsonNode.Parse(example)!];
        }

        if (context.JsonPropertyInfo is null && type == typeof(SubmitNoticeRequest))
        {
            // The content, or a template to render it from: exactly one of them.
            schema.Examples!.Add(JsonNode.Parse(TemplateSubmission)!);
            schema.OneOf = [new OpenApiSchema { Required = new HashSet<string> { "content" } }, new OpenApiSchema { Required = new HashSet<string> { "template_id" } }];
        }

        if (context.JsonPropertyInfo is null && Closed.Contains(type))
        {
            schema.AdditionalPropertiesAllowed = false;
            // The request members are nullable only so that a missing one gets a clear error: a required one may not be null.
            foreach (var name in schema.Required ?? new HashSet<string>())
            {
                if (schema.Properties is not { } properties || !properties.TryGetValue(name, out var required))
                {
                    continue;
                }

                switch (required)
                {
                    case OpenApiSchema { Type: { } kind } property when kind.HasFlag(JsonSchemaType.Null):
                        property.Type = kind & ~JsonSchemaType.Null;
                        break;
                    case OpenApiSchema { OneOf: { Count: 2 } choices } when choices.SingleOrDefault(c => c is OpenApiSchemaReference) is { } reference:
                        properties[name] = reference;
                        break;
                }
            }
        }
    }

    public static List<JsonNode> Values(params string[] values) => [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
}
