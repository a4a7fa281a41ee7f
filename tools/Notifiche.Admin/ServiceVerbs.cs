using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Notifiche.Admin;

/// <summary><c>services</c>: create, update, list, show, activate, suspend, sandbox-recipients.</summary>
public static class ServiceVerbs
{
    public static Command Command(TextWriter output)
    {
        var services = new Command("services", "Register services and change them: create, update, list, show, activate, suspend, sandbox-recipients");
        services.Subcommands.Add(Create(output));
        services.Subcommands.Add(Update(output));
        services.Subcommands.Add(List(output));
        services.Subcommands.Add(Show(output));
        services.Subcommands.Add(ChangeState("activate", "Take the service live (from sandbox or suspended): it may send to any citizen", output));
        services.Subcommands.Add(ChangeState("suspend", "Suspend the service: every submission is refused with 403 until it is activated", output));
        services.Subcommands.Add(SandboxRecipients(output));
        return services;
    }

    private static Command Create(TextWriter output)
    {
        var id = AdminCommands.ServiceId();
        var form = new ServiceOptions();
        var recipients = new Option<string[]>("--sandbox-recipient")
        {
            Description = "A test codice fiscale the service may send to while in sandbox (repeatable)", AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("create", """
            Register a service, in sandbox, and print its first API key (shown once: hand it to the service's team securely).
            Required: --name, --organization-name, --organization-fiscal-code, --contact-email.
            """) { id };
        foreach (var option in form.All.Append(recipients))
        {
            command.Options.Add(option);
        }

        command.Act(async (parse, api, ct) =>
        {
            var body = form.ToJson(parse);
            body["id"] = parse.GetValue(id);
            if (parse.GetValue(recipients) is { Length: > 0 } list)
            {
                body["sandbox_recipients"] = new JsonArray([.. list.Select(r => (JsonNode)r)]);
            }

            var created = await api.PostAsync("/services", body, ct);
            var serviceId = created.GetProperty("service_id").GetString();
            output.WriteLine($"Service {serviceId} registered, state {created.GetProperty("state").GetString()}.");
            KeyVerbs.WriteSecret(output, created.GetProperty("key_id").GetString()!, created.GetProperty("api_key").GetString()!, null);
            output.WriteLine($"In sandbox it may send only to its test recipients ('{AdminCommands.Name} services sandbox-recipients {serviceId} --add <codice fiscale>'); "
                + $"take it live with '{AdminCommands.Name} services activate {serviceId}'.");
        });
        return command;
    }

    private static Command Update(TextWriter output)
    {
        var id = AdminCommands.ServiceId();
        var form = new ServiceOptions();
        var command = new Command("update", "Change a service: only the options given change ('none' clears a limit)") { id };
        foreach (var option in form.All)
        {
            command.Options.Add(option);
        }

        command.Act(async (parse, api, ct) =>
        {
            var path = $"/services/{Uri.EscapeDataString(parse.GetValue(id)!)}";
            var body = form.ToJson(parse, await api.GetAsync(path, ct));
            if (body.Count == 0)
            {
                throw new AdminException($"Nothing to change: give at least one option ('{AdminCommands.Name} services update --help' lists them).");
            }

            WriteService(output, await api.PatchAsync(path, body, ct));
        });
        return command;
    }

    private static Command List(TextWriter output)
    {
        var format = OutputFormat.Option("table");
        var command = new Command("list", "Every registered service: id, state, channels, organisation, name; --output json: every field") { format };
        command.Act(async (parse, api, ct) =>
        {
            var answer = await api.GetAsync("/services", ct);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                OutputFormat.Write(output, answer);
                return;
            }

            var services = answer.EnumerateArray().ToList();
            var rows = services.Select(s => new[]
            {
                Text(s, "id"), Text(s, "state"), string.Join(",", s.GetProperty("allowed_channels").EnumerateArray().Select(c => c.GetString())),
                Text(s, "organization_name"), Text(s, "name"),
            });
            Table.Write(output, ["ID", "STATE", "CHANNELS", "ORGANIZATION", "NAME"], rows);
            output.WriteLine($"{services.Count} service(s). '{AdminCommands.Name} services show <id>' shows one in full.");
        });
        return command;
    }

    private static Command Show(TextWriter output)
    {
        var id = AdminCommands.ServiceId();
        var command = new Command("show", "One service: registry fields, state, limits, sandbox recipients") { id };
        command.Act(async (parse, api, ct) => WriteService(output, await api.GetAsync($"/services/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct)));
        return command;
    }

    private static Command ChangeState(string verb, string description, TextWriter output)
    {
        var id = AdminCommands.ServiceId();
        var command = new Command(verb, description) { id };
        command.Act(async (parse, api, ct) =>
        {
            var service = await api.PostAsync($"/services/{Uri.EscapeDataString(parse.GetValue(id)!)}/{verb}", null, ct);
            output.WriteLine($"Service {Text(service, "id")} is now {Text(service, "state")}.");
        });
        return command;
    }

    private static Command SandboxRecipients(TextWriter output)
    {
        var id = AdminCommands.ServiceId();
        var add = new Option<string[]>("--add") { Description = "A test codice fiscale to allow (repeatable)", AllowMultipleArgumentsPerToken = true };
        var remove = new Option<string[]>("--remove") { Description = "A test codice fiscale to remove (repeatable)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("sandbox-recipients", "Add or remove the test codici fiscali a sandbox service may send to") { id, add, remove };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(add)?.Length ?? 0) + (r.GetValue(remove)?.Length ?? 0) == 0)
            {
                r.AddError("Say what to change: --add <codice fiscale> and/or --remove <codice fiscale>.");
            }
        });
        command.Act(async (parse, api, ct) =>
        {
            var body = new JsonObject
            {
                ["add"] = new JsonArray([.. (parse.GetValue(add) ?? []).Select(c => (JsonNode)c)]),
                ["remove"] = new JsonArray([.. (parse.GetValue(remove) ?? []).Select(c => (JsonNode)c)]),
            };
            var service = await api.PostAsync($"/services/{Uri.EscapeDataString(parse.GetValue(id)!)}/sandbox-recipients", body, ct);
            output.WriteLine($"Service {Text(service, "id")} ({Text(service, "state")}) has {service.GetProperty("sandbox_recipients").GetArrayLength()} sandbox recipient(s).");
        });
        return command;
    }

    private static void WriteService(TextWriter output, JsonElement s)
    {
        output.WriteLine($"Service {Text(s, "id")}");
        foreach (var (label, field) in new[]
        {
            ("name", "name"), ("department", "department"), ("organization", "organization_name"), ("organization fiscal code", "organization_fiscal_code"),
            ("contact email", "contact_email"), ("state", "state"), ("notice categories", "notice_categories"), ("allowed channels", "allowed_channels"),
            ("expected per month", "expected_monthly_volume"), ("rate limit", "rate_limit"), ("daily notice quota", "daily_notice_quota"),
            ("monthly SMS budget", "monthly_sms_budget"), ("allowed source CIDRs", "allowed_source_cidrs"), ("sandbox recipients", "sandbox_recipients"),
            ("created", "created_at"), ("updated", "updated_at"),
        })
        {
            output.WriteLine($"  {label + ":",-26}{Describe(s.GetProperty(field))}");
        }
    }

    /// <summary>A JSON value on one line: lists comma-separated, objects as key=value, null as '-'.</summary>
    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "-",
        JsonValueKind.Array => value.GetArrayLength() == 0 ? "-" : string.Join(", ", value.EnumerateArray().Select(Describe)),
        JsonValueKind.Object => string.Join(", ", value.EnumerateObject().Select(p => $"{p.Name}={Describe(p.Value)}")),
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };

    public static string Text(JsonElement value, string field) =>
        value.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "-";
}

/// <summary>Columns padded to their widest cell: notifiche-dlq's table, unindented.</summary>
public static class Table
{
    public static void Write(TextWriter output, string[] headings, IEnumerable<string[]> rows)
    {
        var table = new Notifiche.Dlq.TextTable(headings);
        foreach (var row in rows)
        {
            table.Add(row);
        }

        table.WriteTo(output, indent: string.Empty);
    }
}
