using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Notifiche.Admin;

/// <summary><c>keys</c>: issue (the secret printed once), list (never a secret), revoke (immediate).</summary>
public static class KeyVerbs
{
    public static Command Command(TextWriter output)
    {
        var keys = new Command("keys", "A service's API keys: issue, list, revoke (at most two active, for rotation without downtime)");
        keys.Subcommands.Add(Issue(output));
        keys.Subcommands.Add(List(output));
        keys.Subcommands.Add(Revoke(output));
        return keys;
    }

    /// <summary>The only place a secret is printed: once, when it is issued.</summary>
    public static void WriteSecret(TextWriter output, string keyId, string secret, string? expiresAt)
    {
        output.WriteLine($"API key {keyId}{(expiresAt is null ? "" : $" (expires {expiresAt})")}:");
        output.WriteLine($"  {secret}");
        output.WriteLine("This is the only time the key is shown (the gateway keeps only its SHA-256): hand it to the service's team securely.");
    }

    private static Command Issue(TextWriter output)
    {
        var id = AdminCommands.ServiceId();
        var expiresAt = new Option<string>("--expires-at")
        {
            Description = "When the key stops working, ISO 8601 with offset, e.g. 2027-01-31T00:00:00Z (default: until revoked)",
        };
        var type = new Option<string>("--type")
        {
            Description = "live (the default) or test: a test key's notices are validated, stored and given a simulated outcome, never delivered",
        };
        var command = new Command("issue", """
            Issue another key for the service and print it (once). Rotation: issue a new key, let the service switch to it,
            then revoke the old one ('keys list' shows which is which). A service may have at most two active keys of each type.
            """) { id, expiresAt, type };
        command.Act(async (parse, api, ct) =>
        {
            var body = new JsonObject();
            if (parse.GetValue(expiresAt) is { } text)
            {
                body["expires_at"] = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                    ? at.ToUniversalTime()
                    : throw new AdminException($"--expires-at '{text}' is not a date and time, e.g. 2027-01-31T00:00:00Z.");
            }

            if (parse.GetValue(type) is { } keyType)
            {
                body["type"] = keyType;
            }

            var key = await api.PostAsync($"/services/{Uri.EscapeDataString(parse.GetValue(id)!)}/keys", body, ct);
            WriteSecret(output, key.GetProperty("key_id").GetString()!, key.GetProperty("api_key").GetString()!,
                key.GetProperty("expires_at").ValueKind == System.Text.Json.JsonValueKind.String ? key.GetProperty("expires_at").GetString() : null);
        });
        return command;
    }

    private static Command List(TextWriter output)
    {
        var id = AdminCommands.ServiceId();
        var format = OutputFormat.Option("table");
        var command = new Command("list", "The service's keys: id, status (active, expired, revoked), type (live, test), created, expires, revoked; never the secrets")
        {
            id, format,
        };
        command.Act(async (parse, api, ct) =>
        {
            var answer = await api.GetAsync($"/services/{Uri.EscapeDataString(parse.GetValue(id)!)}/keys", ct);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                OutputFormat.Write(output, answer);
                return;
            }

            var keys = answer.EnumerateArray().ToList();
            Table.Write(output, ["KEY ID", "STATUS", "TYPE", "CREATED", "EXPIRES", "REVOKED"], keys.Select(k => new[]
            {
                ServiceVerbs.Text(k, "key_id"), ServiceVerbs.Text(k, "status"), ServiceVerbs.Text(k, "type"), ServiceVerbs.Text(k, "created_at"),
                ServiceVerbs.Text(k, "expires_at"),
                ServiceVerbs.Text(k, "revoked_at"),
            }));
        });
        return command;
    }

    private static Command Revoke(TextWriter output)
    {
        var id = AdminCommands.ServiceId();
        var keyId = new Argument<Guid>("key-id") { Description = "The key's id, as 'keys list' prints it" };
        var command = new Command("revoke", "Revoke a key: the next request with it is refused (401)") { id, keyId };
        command.Act(async (parse, api, ct) =>
        {
            var key = await api.PostAsync($"/services/{Uri.EscapeDataString(parse.GetValue(id)!)}/keys/{parse.GetValue(keyId)}/revoke", null, ct);
            output.WriteLine($"Key {ServiceVerbs.Text(key, "key_id")} revoked at {ServiceVerbs.Text(key, "revoked_at")}.");
        });
        return command;
    }
}
