using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Notifiche.Contracts;
using Notifiche.Gateway.Audit;
using Notifiche.Gateway.Callbacks;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Inbox;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Registry;
using Notifiche.ServiceDefaults;

namespace Notifiche.Gateway.OpenApi;

/// <summary>
/// What the generated OpenAPI document cannot learn from the endpoints alone: the key schemes and which operation takes
/// which, the errors every authenticated operation may answer (problem+json), the protocol headers (Idempotency-Key,
/// Location, Idempotent-Replayed, Retry-After), the values of every status and reason, an example request and the status
/// callbacks as <c>webhooks</c>. The document is committed at <c>docs/openapi/notifiche-v1.json</c>; a spec compares the two.
/// </summary>
public static class GatewayOpenApi
{
    public const string ServiceKey = "ServiceKey";
    public const string OperatorKey = "OperatorKey";
    public const string AppBackendKey = "AppBackendKey";
    public const string CallbackWebhook = "notice-status-changed";

    public static void AddGatewayOpenApi(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>(ServiceDefaultsExtensions.OpenApiDocument, o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                Describe(document);
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                Describe(operation, context);
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer((schema, context, _) =>
            {
                if (schema is OpenApiSchema concrete)
                {
                    SchemaFacts.Apply(concrete, context);
                }

                return Task.CompletedTask;
            });
        });

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Notifiche API",
            Version = "v1",
            Description = "Courtesy notices (avvisi di cortesia) for Italian public administrations: a service submits a notice "
                + "for one citizen by codice fiscale and follows its status per channel. JSON is snake_case; a member a body "
                + "does not have is refused (400). Errors are RFC 9457 problem+json with an `errors` map naming each field.",
        };
        // The committed document must not depend on where the gateway that produced it listened.
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ServiceKey] = Header(ApiKeys.Header, "A sending service's API key (issued by the platform operator, shown once).");
        document.Components.SecuritySchemes[OperatorKey] = Header(KeySchemes.OperatorHeader, "The platform operator's key (configuration Gateway:OperatorKey).");
        document.Components.SecuritySchemes[AppBackendKey] = Header(ApiKeys.Header, "The citizen app backend's key (Gateway:AppBackendKey).");
        document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
        document.Webhooks[CallbackWebhook] = Webhook();
    }

    private static OpenApiSecurityScheme Header(string name, string description) =>
        new() { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = name, Description = description };

    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var policy = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
        var scheme = policy switch
        {
            KeySchemes.Service => ServiceKey,
            KeySchemes.Operator => OperatorKey,
            InboxEndpoints.Scheme => AppBackendKey,
            _ => null,
        };
        if (scheme is null)
        {
            return;
        }

        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] }];
        operation.Responses ??= new OpenApiResponses();
        Problem(operation, context, StatusCodes.Status401Unauthorized, "The key is missing, unknown, revoked or expired.");
        if (scheme == ServiceKey)
        {
            Problem(operation, context, StatusCodes.Status403Forbidden,
                "The service is suspended, the recipient is not among a sandbox service's test recipients, or the request "
                + "comes from outside the service's allowed networks.");
        }

        Problem(operation, context, StatusCodes.Status503ServiceUnavailable,
            "The database cannot be reached: nothing was done; retry after Retry-After seconds.", retryAfter: true);
        foreach (var (status, response) in operation.Responses)
        {
            if (status == "429" && response is OpenApiResponse tooMany)
            {
                tooMany.Description = "Over the service's rate limit or daily quota; retry after Retry-After seconds.";
                AddHeader(tooMany, "Retry-After", "Seconds to wait before retrying.", JsonSchemaType.Integer);
            }
        }

        if (context.Description.RelativePath?.TrimEnd('/') == "api/v1/notices" && context.Description.HttpMethod == "POST")
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyKeys.Header,
                In = ParameterLocation.Header,
                Description = "Makes retries safe: a retry with the same key and body within 24 hours answers 200 with the "
                    + "original notice (Idempotent-Replayed: true); the same key with another body 409. A fresh UUID per notice is a good key.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKeys.MaxLength },
            });
            if (operation.Responses.TryGetValue("201", out var created) && created is OpenApiResponse createdResponse)
            {
                createdResponse.Description = "Accepted and durably stored.";
                AddHeader(createdResponse, "Location", "The notice's status URL.", JsonSchemaType.String);
            }

            if (operation.Responses.TryGetValue("200", out var replayed) && replayed is OpenApiResponse replayedResponse)
            {
                replayedResponse.Description = "A retry with the same Idempotency-Key and body: the original notice.";
                AddHeader(replayedResponse, "Location", "The notice's status URL.", JsonSchemaType.String);
                AddHeader(replayedResponse, "Idempotent-Replayed", "Always 'true': this answers an earlier request.", JsonSchemaType.String);
            }
        }
    }

    private static void Problem(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string description,
        bool retryAfter = false)
    {
        var key = status.ToString();
        var response = operation.Responses!.TryGetValue(key, out var existing) && existing is OpenApiResponse found ? found : new OpenApiResponse();
        response.Description = description;
        response.Content ??= new Dictionary<string, OpenApiMediaType>();
        response.Content["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) };
        if (retryAfter)
        {
            AddHeader(response, "Retry-After", "Seconds to wait before retrying.", JsonSchemaType.Integer);
        }

        operation.Responses[key] = response;
    }

    private static void AddHeader(OpenApiResponse response, string name, string description, JsonSchemaType type)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
    }

    /// <summary>The status callback (<see cref="StatusCallbackSender"/>), as the registered URL receives it.</summary>
    private static OpenApiPathItem Webhook()
    {
        var body = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            AdditionalPropertiesAllowed = false,
            Required = new HashSet<string> { "notice_id", "status", "time" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["notice_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" },
                ["channel"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String | JsonSchemaType.Null, Enum = SchemaFacts.Values([.. Channels.All]),
                    Description = "Null for a change of the notice itself.",
                },
                ["status"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = SchemaFacts.Values(NoticeStatus.Scheduled, NoticeStatus.Accepted, NoticeStatus.Held, NoticeStatus.Processed, NoticeStatus.Rejected, NoticeStatus.Cancelled,
                        NoticeStatus.Expired, NoticeStatus.Skipped, ReadStatus.Read,
                        ChannelStatus.Throttled, ChannelStatus.Sent, ChannelStatus.Failed, ChannelStatus.Expired),
                },
                ["time"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
                ["reference"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String | JsonSchemaType.Null, MaxLength = NoticeValidator.ReferenceMax,
                    Description = "The reference the notice was submitted with.",
                },
                ["protocol"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object | JsonSchemaType.Null,
                    Description = "The protocol number and date the notice was submitted with.",
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["number"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = NoticeValidator.ProtocolNumberMax },
                        ["date"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" },
                    },
                },
                ["test"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "Sent with a test key: its delivery is simulated." },
            },
            Examples = [JsonNode.Parse("""{"notice_id":"0193a5c2-7b1e-7c3d-9f00-2a4b6c8d0e1f","channel":"email","status":"SENT","time":"2026-12-03T10:15:30+00:00","reference":"TARI-2026-000123","protocol":{"number":"0012345","date":"2026-12-01"},"test":false}""")!],
        };
        var operation = new OpenApiOperation
        {
            Summary = "A status change of one of your notices, POSTed to your registered callback URL (PUT /api/v1/callback).",
            Description = "Delivered at least once (deduplicate on notice_id, channel and status), retried with back-off for about "
                + "15 minutes; a 2xx answer counts, 408/429/5xx are retried, other 4xx are final. Verify the signature before trusting the body.",
            Parameters =
            [
                new OpenApiParameter
                {
                    Name = StatusCallbackSender.SignatureHeader, In = ParameterLocation.Header, Required = true,
                    Description = "sha256=<lower-case hex HMAC-SHA256 of the raw body under the secret you registered>.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^sha256=[0-9a-f]{64}$" },
                },
                new OpenApiParameter
                {
                    Name = StatusCallbackSender.TimestampHeader, In = ParameterLocation.Header, Required = true,
                    Description = "When the platform sent this delivery, Unix seconds (refuse stale ones).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9]+$" },
                },
            ],
            RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = body } },
            },
            Responses = new OpenApiResponses
            {
                ["200"] = new OpenApiResponse { Description = "Any 2xx: received." },
                ["503"] = new OpenApiResponse { Description = "408, 429 or any 5xx: delivered again later." },
            },
        };
        var item = new OpenApiPathItem();
        item.AddOperation(HttpMethod.Post, operation);
        return item;
    }
}
