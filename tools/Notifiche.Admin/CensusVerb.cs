using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Notifiche.Admin;

/// <summary><c>census</c>: who sends what, on which channels, how much — one line per service for a month.</summary>
public static class CensusVerb
{
    private static readonly string[] Channels = ["email", "sms", "push", "telegram"];

    public static Command Command(TextWriter output)
    {
        var month = new Option<string>("--month") { Description = "The month, yyyy-MM (default: this month, UTC)" };
        // --format was this option's first name (README): it stays an alias.
        var format = OutputFormat.Option("csv", "--format");
        var service = new Option<string>("--service") { Description = "Only this service" };
        var command = new Command("census", """
            The census for a month: per service its registry fields, notices accepted and rejected (by routing), per channel
            sent and failed beside the declared monthly volume, SMS segments and cost in euro. Notices count in the month they
            were accepted (UTC). CSV has one line per service, with a header; --output json prints the API's answer.
            Example: notifiche-admin census --month 2026-11 > census-2026-11.csv
            """) { month, format, service };
        command.Act(async (parse, api, ct) =>
        {
            var query = new List<string>();
            if (parse.GetValue(month) is { } m)
            {
                query.Add($"month={Uri.EscapeDataString(m)}");
            }

            if (parse.GetValue(service) is { } s)
            {
                query.Add($"service_id={Uri.EscapeDataString(s)}");
            }

            var census = await api.GetAsync("/census" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                OutputFormat.Write(output, census);
            }
            else
            {
                WriteCsv(census, output);
            }
        });
        return command;
    }

    public static readonly string[] Header =
    [
        "month", "service_id", "name", "department", "organization_name", "organization_fiscal_code", "state", "notice_categories",
        "notices_accepted", "notices_rejected",
        .. Channels.SelectMany(c => new[] { $"{c}_allowed", $"{c}_expected", $"{c}_sent", $"{c}_failed" }),
        "sms_segments", "sms_cost_euro",
    ];

    private static void WriteCsv(JsonElement census, TextWriter output)
    {
        var month = census.GetProperty("month").GetString()!;
        output.WriteLine(string.Join(',', Header));
        foreach (var line in census.GetProperty("services").EnumerateArray())
        {
            var channels = line.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!);
            var sms = channels["sms"];
            string[] cells =
            [
                month, Value(line, "service_id"), Value(line, "name"), Value(line, "department"), Value(line, "organization_name"),
                Value(line, "organization_fiscal_code"), Value(line, "state"),
                string.Join(';', line.GetProperty("notice_categories").EnumerateArray().Select(c => c.GetString())),
                Value(line, "notices_accepted"), Value(line, "notices_rejected"),
                .. Channels.SelectMany(c => new[]
                {
                    Value(channels[c], "allowed"), Value(channels[c], "expected_monthly"), Value(channels[c], "sent"), Value(channels[c], "failed"),
                }),
                Value(sms, "sms_segments"), Value(sms, "cost_euro"),
            ];
            output.WriteLine(string.Join(',', cells.Select(Escape)));
        }
    }

    private static string Value(JsonElement element, string field) => element.GetProperty(field) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString()!,
        { ValueKind: JsonValueKind.Number } n => n.GetDecimal().ToString(CultureInfo.InvariantCulture),
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        _ => string.Empty,
    };

    /// <summary>RFC 4180: quote a cell holding a comma, a quote or a line break; double the quotes inside.</summary>
    public static string Escape(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{cell.Replace("\"", "\"\"")}\"" : cell;
}
