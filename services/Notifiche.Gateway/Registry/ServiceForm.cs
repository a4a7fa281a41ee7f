using System.Text.Json;
using Notifiche.Contracts;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Notices;
using Notifiche.Validation;

namespace Notifiche.Gateway.Registry;

/// <summary>
/// The operator's JSON for a service, applied field by field to a <see cref="ServiceRecord"/>: on create the required
/// fields must be there, on update only the fields present change (<c>null</c> clears an optional one). Every problem is
/// reported under the name of the field it concerns.
/// </summary>
public static class ServiceForm
{
    public const int MaxSandboxRecipients = 100;
    public const int MaxCidrs = 50;
    public const int MaxCategories = 50;
    private const int MaxRate = 100_000;

    private static readonly string[] Fields =
    [
        "id", "name", "department", "organization_name", "organization_fiscal_code", "contact_email", "notice_categories",
        "allowed_channels", "expected_monthly_volume", "sandbox_recipients", "rate_limit", "daily_notice_quota", "monthly_sms_budget",
        "allowed_source_cidrs", "urgent_allowed",
    ];

    /// <summary>A new service's rate limit unless its request says otherwise (<c>"rate_limit": null</c> lifts it).</summary>
    public const double NewServiceRatePerSecond = 10;

    /// <summary>A new service's burst (requests at once above the steady rate).</summary>
    public const int NewServiceRateBurst = 50;

    /// <summary>A new service's daily notice quota unless its request says otherwise (<c>"daily_notice_quota": null</c> lifts it).</summary>
    public const int NewServiceDailyNoticeQuota = 10_000;

    /// <summary>
    /// A new service (in sandbox, with <see cref="NewServiceRatePerSecond"/>/<see cref="NewServiceRateBurst"/> and
    /// <see cref="NewServiceDailyNoticeQuota"/> unless the request sets them) from a create request, or the errors.
    /// </summary>
    public static (ServiceRecord? Service, Dictionary<string, string[]> Errors) Create(JsonElement body)
    {
        var service = new ServiceRecord
        {
            Id = string.Empty, Name = string.Empty, OrganizationName = string.Empty, State = ServiceStates.Sandbox,
            RatePerSecond = NewServiceRatePerSecond, RateBurst = NewServiceRateBurst, DailyNoticeQuota = NewServiceDailyNoticeQuota,
        };
        var errors = new Errors();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", "must be a JSON object");
            return (null, errors.Map);
        }

        var id = body.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString()! : null;
        if (id is null || !ServiceIds.IsValid(id))
        {
            errors.Add("id", $"is required: {ServiceIds.Rule}");
        }
        else if (ServiceIds.IsReserved(id))
        {
            errors.Add("id", "is a name the platform uses (notifiche, admin, operator, gateway, dispatch, rabbitmq, …): choose another");
        }
        else
        {
            service.Id = id;
        }

        foreach (var required in new[] { "name", "organization_name", "organization_fiscal_code", "contact_email" })
        {
            if (!body.TryGetProperty(required, out _))
            {
                errors.Add(required, "is required");
            }
        }

        if (!body.TryGetProperty("allowed_channels", out _))
        {
            service.AllowedChannels = [.. ServiceRegistry.DefaultChannels];
        }

        ApplyFields(body, service, errors);
        return errors.Map.Count == 0 ? (service, errors.Map) : (null, errors.Map);
    }

    /// <summary>Applies an update request to <paramref name="service"/>; the errors, empty when it may be saved.</summary>
    public static Dictionary<string, string[]> Update(JsonElement body, ServiceRecord service)
    {
        var errors = new Errors();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", "must be a JSON object");
            return errors.Map;
        }

        if (body.TryGetProperty("id", out var id) && (id.ValueKind != JsonValueKind.String || id.GetString() != service.Id))
        {
            errors.Add("id", "cannot be changed: register a new service instead");
        }

        ApplyFields(body, service, errors);
        return errors.Map;
    }

    /// <summary>Normalises codici fiscali for the sandbox list, or reports the bad ones under <paramref name="field"/>[i].</summary>
    public static List<string> FiscalCodes(JsonElement value, string field, Dictionary<string, string[]> errors)
    {
        var list = new Errors(errors);
        return [.. StringList(value, field, list, MaxSandboxRecipients, (item, name) =>
        {
            var problem = FiscalCode.Validate(item, out var normalized);
            return problem is null ? normalized : list.Fail(name, problem);
        })];
    }

    private static void ApplyFields(JsonElement body, ServiceRecord service, Errors errors)
    {
        foreach (var property in body.EnumerateObject())
        {
            var (name, value) = (property.Name, property.Value);
            switch (name)
            {
                case "id":
                    break;
                case "name":
                    service.Name = Text(value, name, errors, required: true, 200) ?? service.Name;
                    break;
                case "department":
                    service.Department = Text(value, name, errors, required: false, 200);
                    break;
                case "organization_name":
                    service.OrganizationName = Text(value, name, errors, required: true, 200) ?? service.OrganizationName;
                    break;
                case "organization_fiscal_code":
                    var problem = OrganizationFiscalCode.Validate(value.ValueKind == JsonValueKind.String ? value.GetString() : null, out var code);
                    service.OrganizationFiscalCode = problem is null ? code : errors.Fail(name, problem) ?? service.OrganizationFiscalCode;
                    break;
                case "contact_email":
                    var email = Text(value, name, errors, required: true, 254);
                    service.ContactEmail = email is null || EmailAddresses.IsValid(email)
                        ? email ?? service.ContactEmail
                        : errors.Fail(name, "must be an email address") ?? service.ContactEmail;
                    break;
                case "notice_categories":
                    service.NoticeCategories = [.. StringList(value, name, errors, MaxCategories, (item, itemName) =>
                        item.Trim() is { Length: > 0 and <= NoticeValidator.CategoryMax } category
                            ? category : errors.Fail(itemName, $"must be 1-{NoticeValidator.CategoryMax} characters")).Distinct()];
                    break;
                case "allowed_channels":
                    var channels = StringList(value, name, errors, Channels.All.Count, (item, _) => item).Distinct().ToList();
                    if (channels.Count > 0 && channels.All(Channels.All.Contains))
                    {
                        service.AllowedChannels = channels;
                    }
                    else
                    {
                        errors.Add(name, $"must be a non-empty subset of {string.Join(", ", Channels.All)}");
                    }

                    break;
                case "expected_monthly_volume":
                    ExpectedVolumes(value, service, errors);
                    break;
                case "sandbox_recipients":
                    service.SandboxRecipients = [.. FiscalCodes(value, name, errors.Map).Distinct()];
                    break;
                case "rate_limit":
                    RateLimit(value, service, errors);
                    break;
                case "daily_notice_quota":
                    service.DailyNoticeQuota = value.ValueKind == JsonValueKind.Null ? null : Integer(value, name, errors, min: 1);
                    break;
                case "monthly_sms_budget":
                    SmsBudget(value, service, errors);
                    break;
                case "allowed_source_cidrs":
                    service.AllowedSourceCidrs = [.. StringList(value, name, errors, MaxCidrs, (item, itemName) =>
                        SourceNetworks.Normalize(item, out var cidrProblem) ?? errors.Fail(itemName, cidrProblem!)).Distinct()];
                    break;
                case "urgent_allowed":
                    // The permission to mark notices urgent (delivered inside the citizen's quiet hours): off unless granted.
                    service.UrgentAllowed = value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => errors.Fail<bool>(name, "must be true or false"),
                    };
                    break;
                case "state":
                    errors.Add(name, "is changed with the activate and suspend actions (POST .../activate, .../suspend)");
                    break;
                default:
                    errors.Add(name, $"is not a field of a service (fields: {string.Join(", ", Fields)})");
                    break;
            }
        }
    }

    private static void ExpectedVolumes(JsonElement value, ServiceRecord service, Errors errors)
    {
        const string name = "expected_monthly_volume";
        if (value.ValueKind == JsonValueKind.Null)
        {
            Channels.All.ToList().ForEach(c => service.SetExpectedMonthly(c, null));
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(name, $"must be an object of channel to notices per month, e.g. {{\"email\": 1000, \"sms\": 2000}}");
            return;
        }

        foreach (var channel in Channels.All)
        {
            service.SetExpectedMonthly(channel, null);
        }

        foreach (var entry in value.EnumerateObject())
        {
            if (!Channels.All.Contains(entry.Name))
            {
                errors.Add($"{name}.{entry.Name}", $"is not a channel ({string.Join(", ", Channels.All)})");
            }
            else if (entry.Value.ValueKind != JsonValueKind.Null)
            {
                service.SetExpectedMonthly(entry.Name, Integer(entry.Value, $"{name}.{entry.Name}", errors, min: 0));
            }
        }
    }

    private static void RateLimit(JsonElement value, ServiceRecord service, Errors errors)
    {
        const string name = "rate_limit";
        if (value.ValueKind == JsonValueKind.Null)
        {
            (service.RatePerSecond, service.RateBurst) = (null, null);
            return;
        }

        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("per_second", out var perSecond))
        {
            errors.Add(name, "must be null (no limit) or {\"per_second\": 10, \"burst\": 20}");
            return;
        }

        var rate = perSecond.ValueKind == JsonValueKind.Number && perSecond.TryGetDouble(out var r) && r > 0 && r <= MaxRate ? r : (double?)null;
        if (rate is null)
        {
            errors.Add($"{name}.per_second", $"must be a number above 0 and at most {MaxRate}");
            return;
        }

        var burst = value.TryGetProperty("burst", out var b) && b.ValueKind != JsonValueKind.Null
            ? Integer(b, $"{name}.burst", errors, min: 1, max: MaxRate)
            : RateLimiter.DefaultBurst(rate.Value);
        (service.RatePerSecond, service.RateBurst) = (rate, burst);
    }

    private static void SmsBudget(JsonElement value, ServiceRecord service, Errors errors)
    {
        const string name = "monthly_sms_budget";
        if (value.ValueKind == JsonValueKind.Null)
        {
            (service.MonthlySmsSegmentBudget, service.MonthlySmsEuroBudget) = (null, null);
            return;
        }

        var segments = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("segments", out var s) && s.ValueKind != JsonValueKind.Null
            ? Integer(s, $"{name}.segments", errors, min: 0)
            : null;
        decimal? euro = null;
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("euro", out var e) && e.ValueKind != JsonValueKind.Null)
        {
            euro = e.ValueKind == JsonValueKind.Number && e.TryGetDecimal(out var d) && d >= 0 ? decimal.Round(d, 4) : null;
            if (euro is null)
            {
                errors.Add($"{name}.euro", "must be a number of euro, 0 or more");
            }
        }

        if (segments is null && euro is null)
        {
            errors.Add(name, "must be null (no budget) or give \"segments\" and/or \"euro\", e.g. {\"segments\": 2000}");
            return;
        }

        (service.MonthlySmsSegmentBudget, service.MonthlySmsEuroBudget) = (segments, euro);
    }

    private static string? Text(JsonElement value, string name, Errors errors, bool required, int max)
    {
        if (value.ValueKind == JsonValueKind.Null && !required)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        return text is { Length: > 0 } && text.Length <= max ? text : errors.Fail(name, $"must be a non-empty string of at most {max} characters");
    }

    private static int? Integer(JsonElement value, string name, Errors errors, int min, int max = int.MaxValue) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= min && n <= max
            ? n
            : errors.Fail<int?>(name, min == 0 ? "must be a whole number, 0 or more" : $"must be a whole number from {min}");

    private static IEnumerable<string> StringList(JsonElement value, string name, Errors errors, int max, Func<string, string, string?> each)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > max)
        {
            errors.Add(name, $"must be an array of at most {max} strings");
            return [];
        }

        var items = new List<string>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemName = $"{name}[{i++}]";
            var result = item.ValueKind == JsonValueKind.String ? each(item.GetString()!, itemName) : errors.Fail(itemName, "must be a string");
            if (result is not null)
            {
                items.Add(result);
            }
        }

        return items;
    }

    /// <summary>Field-named problems, as <c>Results.ValidationProblem</c> takes them.</summary>
    private sealed class Errors(Dictionary<string, string[]>? map = null)
    {
        public Dictionary<string, string[]> Map { get; } = map ?? [];

        public void Add(string field, string problem) =>
            Map[field] = Map.TryGetValue(field, out var earlier) ? [.. earlier, problem] : [problem];

        public string? Fail(string field, string problem) => Fail<string?>(field, problem);

        public T? Fail<T>(string field, string problem)
        {
            Add(field, problem);
            return default;
        }
    }
}
