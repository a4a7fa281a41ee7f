using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Notifiche.Admin;

/// <summary>
/// <c>--output</c> on every listing verb: the human layout (a table; the census's CSV), or <c>json</c>, the gateway's
/// answer as it came (snake_case, as documented in docs/openapi/notifiche-v1.json), for scripts.
/// </summary>
public static class OutputFormat
{
    public const string Json = "json";

    /// <summary>The option, with <paramref name="human"/> as the default; <paramref name="aliases"/> keep older spellings working.</summary>
    public static Option<string> Option(string human, params string[] aliases)
    {
        var option = new Option<string>("--output", ["-o", .. aliases])
        {
            Description = $"{human} (default) or json (the gateway's answer as it came)", DefaultValueFactory = _ => human,
        };
        option.AcceptOnlyFromAmong(human, Json);
        return option;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(TextWriter output, JsonElement answer) => output.WriteLine(JsonSerializer.Serialize(answer, Indented));
}
