using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Notifiche.Admin;

/// <summary>
/// The options that describe a service, shared by <c>services create</c> and <c>services update</c>, turned into the
/// operator API's JSON. On update only the options given change; <c>none</c> clears a limit.
/// </summary>
public sealed class ServiceOptions
{
    private const string None = "none";

    public Option<string> Name { get; } = new("--name") { Description = "The service's name, e.g. 'Servizio anagrafe'" };
    public Option<string> Department { get; } = new("--department") { Description = "The office that runs it, e.g. 'Area servizi demografici'" };
    public Option<string> OrganizationName { get; } = new("--organization-name") { Description = "The administration, e.g. 'Comune di Milano'" };
    public Option<string> OrganizationFiscalCode { get; } = new("--organization-fiscal-code")
    {
        Description = "The administration's numeric codice fiscale (11 digits with check digit), e.g. 01199250158",
    };
    public Option<string> ContactEmail { get; } = new("--contact-email") { Description = "Who the operator writes to about this service" };
    public Option<string[]> Categories { get; } = new("--category")
    {
        Description = "A kind of notice it sends, e.g. identity-card-expiry (repeatable; replaces the list)", AllowMultipleArgumentsPerToken = true,
    };
    public Option<string[]> Channels { get; } = new("--channel")
    {
        Description = "A channel it may use: email, sms, push (repeatable; replaces the list; default on create: email)",
        AllowMultipleArgumentsPerToken = true,
    };
    public Option<string[]> Expected { get; } = new("--expected")
    {
        Description = "Declared volume per month, CHANNEL=COUNT, e.g. --expected email=1000 --expected sms=2000 (replaces all)",
        AllowMultipleArgumentsPerToken = true,
    };
    public Option<string> RateLimit { get; } = new("--rate-limit")
    {
        Description = "Token bucket: PER_SECOND or PER_SECOND/BURST, e.g. 10/50; 'none' for no limit (a new service starts at 10/50)",
    };
    public Option<string> DailyQuota { get; } = new("--daily-quota") { Description = "Notices per UTC day; 'none' for no quota (a new service starts at 10000)" };
    public Option<string> SmsBudgetSegments { get; } = new("--sms-budget-segments")
    {
        Description = "SMS segments per month; past it SMS is not planned and notices fall back to the citizen's other channels; 'none' to remove",
    };
    public Option<string> SmsBudgetEuro { get; } = new("--sms-budget-euro") { Description = "SMS euro per month (as above); 'none' to remove" };
    public Option<string[]> Cidrs { get; } = new("--allow-cidr")
    {
        Description = "A network the service's HTTP requests may come from, e.g. 203.0.113.0/24 (repeatable; replaces the list; 'none': any address)",
        AllowMultipleArgumentsPerToken = true,
    };

    public IEnumerable<Option> All =>
    [
        Name, Department, OrganizationName, OrganizationFiscalCode, ContactEmail, Categories, Channels, Expected, RateLimit, DailyQuota,
        SmsBudgetSegments, SmsBudgetEuro, Cidrs,
    ];

    /// <summary>The JSON fields for the options given; <paramref name="current"/> (on update) supplies the half of the SMS budget not given.</summary>
    public JsonObject ToJson(ParseResult parse, System.Text.Json.JsonElement? current = null)
    {
        var json = new JsonObject();
        Text(parse, Name, "name", json);
        Text(parse, Department, "department", json);
        Text(parse, OrganizationName, "organization_name", json);
        Text(parse, OrganizationFiscalCode, "organization_fiscal_code", json);
        Text(parse, ContactEmail, "contact_email", json);
        List(parse, Categories, "notice_categories", json);
        List(parse, Channels, "allowed_channels", json);
        if (parse.GetValue(Expected) is { Length: > 0 } expected)
        {
            var volumes = new JsonObject();
            foreach (var pair in expected)
            {
                var parts = pair.Split('=', 2);
                if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
                {
                    throw new AdminException($"--expected '{pair}' is not CHANNEL=COUNT, e.g. --expected email=1000.");
                }

                volumes[parts[0].Trim()] = count;
            }

            json["expected_monthly_volume"] = volumes;
        }

        if (parse.GetValue(RateLimit) is { } rate)
        {
            json["rate_limit"] = rate == None ? null : ParseRate(rate);
        }

        if (parse.GetValue(DailyQuota) is { } quota)
        {
            json["daily_notice_quota"] = quota == None ? null : Number(quota, "--daily-quota");
        }

        SmsBudget(parse, json, current);
        if (parse.GetValue(Cidrs) is { Length: > 0 } cidrs)
        {
            json["allowed_source_cidrs"] = new JsonArray([.. cidrs.Where(c => c != None).Select(c => (JsonNode)c)]);
        }

        return json;
    }

    private void SmsBudget(ParseResult parse, JsonObject json, System.Text.Json.JsonElement? current)
    {
        var segments = parse.GetValue(SmsBudgetSegments);
        var euro = parse.GetValue(SmsBudgetEuro);
        if (segments is null && euro is null)
        {
            return;
        }

        // The API takes the budget as one field: keep the half not given on the command line.
        JsonNode? Current(string name) =>
            current is { } service && service.TryGetProperty("monthly_sms_budget", out var budget) && budget.ValueKind == System.Text.Json.JsonValueKind.Object
                && budget.TryGetProperty(name, out var value) ? JsonValue.Create(value) : null;
        var budgetJson = new JsonObject
        {
            ["segments"] = segments is null ? Current("segments") : segments == None ? null : Number(segments, "--sms-budget-segments"),
            ["euro"] = euro is null ? Current("euro") : euro == None ? null : Decimal(euro, "--sms-budget-euro"),
        };
        json["monthly_sms_budget"] = budgetJson["segments"] is null && budgetJson["euro"] is null ? null : budgetJson;
    }

    private static JsonObject ParseRate(string text)
    {
        var parts = text.Split('/', 2);
        var rate = new JsonObject { ["per_second"] = Decimal(parts[0], "--rate-limit") };
        if (parts.Length == 2)
        {
            rate["burst"] = Number(parts[1], "--rate-limit burst");
        }

        return rate;
    }

    private static void Text(ParseResult parse, Option<string> option, string field, JsonObject json)
    {
        if (parse.GetValue(option) is { } value)
        {
            json[field] = value;
        }
    }

    private static void List(ParseResult parse, Option<string[]> option, string field, JsonObject json)
    {
        if (parse.GetValue(option) is { Length: > 0 } values)
        {
            json[field] = new JsonArray([.. values.Select(v => (JsonNode)v)]);
        }
    }

    // Range checks are the gateway's: it names the field in its answer.
    private static long Number(string text, string option) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n : throw new AdminException($"{option} '{text}' is not a whole number (or 'none').");

    private static decimal Decimal(string text, string option) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var n)
            ? n : throw new AdminException($"{option} '{text}' is not a number (use '.' for decimals) or 'none'.");
}
