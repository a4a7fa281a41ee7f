using Notifiche.Gateway.Templates;
using Notifiche.Validation;

namespace Notifiche.Gateway.Notices;

/// <summary>Validates a submitted notice; field names in errors are the JSON paths a client sent.</summary>
public static class NoticeValidator
{
    public const int SubjectMin = 10, SubjectMax = 120;
    public const int MarkdownMin = 80, MarkdownMax = 10_000;
    public const int TtlMin = 3_600, TtlMax = 604_800, TtlDefault = 604_800;
    public const int CategoryMax = 64;
    public const int ReferenceMax = 128, ProtocolNumberMax = 64;

    /// <summary>How far ahead <c>send_at</c> may be.</summary>
    public static readonly TimeSpan SendAtMaxAhead = TimeSpan.FromDays(30);

    /// <summary>
    /// How far in the past <c>send_at</c> may be and still be accepted (as due at once): the sender's clock and ours differ
    /// a little, and a sender that asks for "now" must not get a 400 for it.
    /// </summary>
    public static readonly TimeSpan SendAtClockSkew = TimeSpan.FromSeconds(60);

    /// <param name="now">The gateway's clock, for <c>send_at</c>; the system clock when not given.</param>
    /// <param name="template">The calling service's template named by <c>template_id</c>, when it has one by that id.</param>
    /// <param name="serviceChannels">The channels the calling service may use, for <c>escalation</c>'s channels.</param>
    public static (ValidNotice? Notice, Dictionary<string, string[]> Errors) Validate(SubmitNoticeRequest request, DateTimeOffset? now = null,
        Template? template = null, IReadOnlyCollection<string>? serviceChannels = null)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [message];

        var fiscalCode = string.Empty;
        if (request.FiscalCode is null)
        {
            Add("fiscal_code", "is required");
        }
        else if (FiscalCode.Validate(request.FiscalCode, out fiscalCode) is { } problem)
        {
            Add("fiscal_code", problem);
        }

        var subject = request.Content?.Subject?.Trim();
        var markdown = request.Content?.Markdown;
        IReadOnlyList<TemplateText> rendered = [];
        if (request.TemplateId is not null)
        {
            if (request.Content is not null)
            {
                Add("content", "must not be given with template_id: the template is the notice's content");
            }
            else if (template is null)
            {
                Add("template_id", "is not a template of your service");
            }
            else
            {
                rendered = TemplateRendering.Render(template, request.Personalisation, errors);
            }
        }
        else if (request.Personalisation is not null)
        {
            Add("personalisation", "is only used with template_id");
        }
        else if (request.Content is null)
        {
            Add("content", "is required");
        }
        else
        {
            CheckLength("content.subject", subject, SubjectMin, SubjectMax, Add);
            if (subject is not null && subject.Any(HiddenFormatting.Is))
            {
                // A subject is one line shown as written: an override could make "ovviA" read as "Avviso" in a mail client.
                Add("content.subject", "must not contain control characters or bidirectional marks and overrides");
            }
            CheckLength("content.markdown", markdown, MarkdownMin, MarkdownMax, Add);
        }

        var ttl = request.TimeToLive ?? TtlDefault;
        if (ttl is < TtlMin or > TtlMax)
        {
            Add("time_to_live", $"must be between {TtlMin} and {TtlMax} seconds");
        }

        var email = request.DefaultAddresses?.Email?.Trim();
        if (request.DefaultAddresses is not null && email is not null && !EmailAddresses.IsValid(email))
        {
            Add("default_addresses.email", "is not a valid email address");
        }

        var category = request.Category?.Trim();
        if (category is { Length: > CategoryMax })
        {
            Add("category", $"must be at most {CategoryMax} characters");
        }

        var reference = request.Reference?.Trim();
        if (request.Reference is not null)
        {
            CheckText("reference", reference!, ReferenceMax, Add);
        }

        var protocolNumber = request.Protocol?.Number?.Trim();
        if (request.Protocol is { } protocol)
        {
            if (protocolNumber is null)
            {
                Add("protocol.number", "is required");
            }
            else
            {
                CheckText("protocol.number", protocolNumber, ProtocolNumberMax, Add);
            }

            if (protocol.Date is null)
            {
                Add("protocol.date", "is required");
            }
        }

        var at = now ?? DateTimeOffset.UtcNow;
        if (request.SendAt is { } sendAt)
        {
            // The time to live counts from send_at, so a scheduled notice cannot expire before it is due.
            if (sendAt < at - SendAtClockSkew)
            {
                Add("send_at", $"must not be in the past (it may be up to {SendAtClockSkew.TotalSeconds:0} seconds behind the gateway's clock, then it is due at once)");
            }
            else if (sendAt > at + SendAtMaxAhead)
            {
                Add("send_at", $"must be at most {SendAtMaxAhead.TotalDays:0} days ahead");
            }
        }

        var reminders = DueDateReminders.Validate(request.Reminders, request.Content?.DueDate, at, request.SendAt, Add);
        // Steps count from the first delivery, as the time to live does: a step can never outlive the notice.
        var escalation = Escalation.Validate(request.Escalation, request.SendAt > at ? request.SendAt.Value.ToUniversalTime() : at, ttl, serviceChannels, Add);

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        // A template notice's own content is the Italian rendering; its other languages ride along as variants.
        var notice = new ValidNotice(fiscalCode, template is null ? subject! : rendered[0].Subject, template is null ? markdown! : rendered[0].Markdown,
            request.Content?.DueDate, ttl,
            string.IsNullOrEmpty(email) ? null : email, string.IsNullOrEmpty(category) ? null : category, request.SendAt?.ToUniversalTime(),
            request.Urgent == true)
        {
            Reference = reference, ProtocolNumber = protocolNumber, ProtocolDate = request.Protocol?.Date,
            TemplateId = template?.Id, TemplateVersion = template?.Version, Variants = [.. rendered.Skip(1)],
            Personalisation = template is null ? null : new SortedDictionary<string, string>(request.Personalisation ?? [], StringComparer.Ordinal),
            Reminders = reminders, Sensitive = request.Sensitive == true,
            HoldUntilRegistered = request.HoldUntilRegistered == true, Escalation = escalation,
        };
        return (notice, errors);
    }

    /// <summary>An identifier the sender chose: 1 to <paramref name="max"/> characters once trimmed, shown as written.</summary>
    private static void CheckText(string field, string value, int max, Action<string, string> add)
    {
        if (value.Length is 0 || value.Length > max)
        {
            add(field, $"must be between 1 and {max} characters, got {value.Length}");
        }
        else if (value.Any(HiddenFormatting.Is))
        {
            add(field, "must not contain control characters or bidirectional marks and overrides");
        }
    }

    private static void CheckLength(string field, string? value, int min, int max, Action<string, string> add)
    {
        if (value is null)
        {
            add(field, "is required");
        }
        else if (value.Length < min || value.Length > max)
        {
            add(field, $"must be between {min} and {max} characters, got {value.Length}");
        }
    }
}
