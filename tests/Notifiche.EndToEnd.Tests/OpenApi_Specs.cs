using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Notifiche.Testing;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// The contract an integrator reads: the running gateway's OpenAPI document is the one committed at
/// <c>docs/openapi/notifiche-v1.json</c>, and it says what the API does (keys, limits, values, errors, headers, callbacks).
/// </summary>
public class The_openapi_document
{
    private const string Committed = "docs/openapi/notifiche-v1.json";
    private const string UpdateVariable = "NOTIFICHE_UPDATE_OPENAPI";
    private JsonNode _document = null!;
    private string _running = null!;

    [OneTimeSetUp]
    public async Task FetchAsync()
    {
        using var anonymous = new HttpClient { BaseAddress = Platform.Hosts.Gateway.BaseAddress };
        _document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!;
        _running = _document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    [Test]
    public async Task Should_be_the_committed_one()
    {
        var committed = Path.Combine(RepositoryRoot(), Committed);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            // Regeneration is a developer's step: CI always compares, so a changed contract cannot pass unnoticed there.
            Assert.That(Environment.GetEnvironmentVariable("CI"), Is.Not.EqualTo("true"), $"{UpdateVariable} is refused in CI");
            await File.WriteAllTextAsync(committed, _running);
            await TestContext.Out.WriteLineAsync($"{Committed} rewritten from the running gateway");
        }

        var written = Path.Combine(RepositoryRoot(), "artifacts", "openapi", "notifiche-v1.json");
        Directory.CreateDirectory(Path.GetDirectoryName(written)!);
        await File.WriteAllTextAsync(written, _running);
        Assert.That(File.Exists(committed) ? await File.ReadAllTextAsync(committed) : string.Empty, Is.EqualTo(_running),
            $"The gateway's OpenAPI document differs from {Committed}. If the change is intended, regenerate it with "
            + $"{UpdateVariable}=1 NOTIFICHE_BUILD_TEST_CMD='dotnet test tests/Notifiche.EndToEnd.Tests --no-build \"$@\"' "
            + "./build.sh test --filter FullyQualifiedName~The_openapi_document (or copy artifacts/openapi/notifiche-v1.json, "
            + "written by this run) and commit it.");
    }

    [Test]
    public void Should_be_openapi_3_1_with_a_key_scheme_on_every_operation()
    {
        Assert.That(_document["openapi"]!.GetValue<string>(), Does.StartWith("3.1"));
        var schemes = _document["components"]!["securitySchemes"]!.AsObject();
        Assert.That(schemes["ServiceKey"]!["name"]!.GetValue<string>(), Is.EqualTo("X-Api-Key"));
        Assert.That(schemes["OperatorKey"]!["name"]!.GetValue<string>(), Is.EqualTo("X-Operator-Key"));
        foreach (var (path, operation) in Operations())
        {
            Assert.That(operation["security"]?.AsArray(), Is.Not.Null.And.Not.Empty, path);
            Assert.That(operation["responses"]!.AsObject().Select(r => r.Key), Does.Contain("401"), path);
            // Every operation says what it answers on success, with a body unless it is 204.
            var success = operation["responses"]!.AsObject().Where(r => r.Key[0] == '2').ToList();
            Assert.That(success, Is.Not.Empty, path);
            Assert.That(success.Where(r => r.Key != "204").Select(r => r.Value!["content"]), Has.None.Null, path);
        }

        Assert.That(_document["paths"]!["/api/v1/admin/services"]!["post"]!["responses"]!["201"], Is.Not.Null, "201 on create");
        Assert.That(_document["paths"]!["/api/v1/admin/services/{id}/keys"]!["post"]!["responses"]!["201"], Is.Not.Null, "201 on create");
    }

    [Test]
    public void Should_answer_every_error_as_problem_json()
    {
        foreach (var (path, operation) in Operations())
        {
            foreach (var (status, response) in operation["responses"]!.AsObject().Where(r => r.Key[0] is '4' or '5'))
            {
                Assert.That(response!["content"]?.AsObject().Select(c => c.Key), Is.EqualTo(new[] { "application/problem+json" }), $"{path} {status}");
            }
        }
    }

    [Test]
    public void Should_describe_the_submission_with_its_rules_headers_and_success_codes()
    {
        var submit = _document["paths"]!["/api/v1/notices"]!["post"]!;
        var responses = submit["responses"]!;
        Assert.That(responses["201"]!["headers"]!["Location"], Is.Not.Null);
        Assert.That(responses["200"]!["headers"]!["Idempotent-Replayed"], Is.Not.Null);
        Assert.That(responses["429"]!["headers"]!["Retry-After"], Is.Not.Null);
        Assert.That(responses["503"]!["headers"]!["Retry-After"], Is.Not.Null);
        Assert.That(submit["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()), Does.Contain("Idempotency-Key"));

        var body = Resolve(submit["requestBody"]!["content"]!["application/json"]!["schema"]!);
        Assert.That(body["required"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EquivalentTo(new[] { "fiscal_code" }));
        // The content, or a template to render it from (issue 18 point 5): exactly one.
        Assert.That(body["oneOf"]!.AsArray().Select(c => c!["required"]!.AsArray().Single()!.GetValue<string>()),
            Is.EquivalentTo(new[] { "content", "template_id" }));
        Assert.That(body["additionalProperties"]!.GetValue<bool>(), Is.False);
        Assert.That(body["properties"]!["fiscal_code"]!["pattern"]!.GetValue<string>(), Does.StartWith("^[A-Z]{6}"));
        Assert.That(body["properties"]!["fiscal_code"]!["type"]!.ToJsonString(), Is.EqualTo("\"string\""), "required, so never null");
        Assert.That(body["examples"]!.AsArray(), Is.Not.Empty);
        Assert.That(body["properties"]!["hold_until_registered"]!["description"]!.GetValue<string>(), Does.Contain("HELD"), "issue 17 point 6");
        var content = Resolve(body["properties"]!["content"]!);
        Assert.That(content["properties"]!["subject"]!["minLength"]!.GetValue<int>(), Is.EqualTo(10));
        Assert.That(content["properties"]!["markdown"]!["maxLength"]!.GetValue<int>(), Is.EqualTo(10_000));
    }

    [Test]
    public void Should_list_every_status_and_reason()
    {
        var status = Resolve(_document["paths"]!["/api/v1/notices/{id}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!);
        Assert.That(Values(status["properties"]!["status"]!), Is.EqualTo(new[] { "SCHEDULED", "ACCEPTED", "HELD", "PROCESSED", "REJECTED", "CANCELLED", "EXPIRED", "SKIPPED" }));
        var step = Resolve(status["properties"]!["escalation"]!["items"]!);
        Assert.That(Values(step["properties"]!["outcome"]!), Is.EqualTo(new[] { "PENDING", "DONE", "SKIPPED_READ", "SKIPPED_SMS_BUDGET", "CANCELLED" }),
            "each escalation step's outcome");
        Assert.That(status["properties"]!["send_at"], Is.Not.Null, "a scheduled notice's send_at");
        Assert.That(status["properties"]!["resolved_at"], Is.Not.Null, "when resolve cancelled the pending reminders");
        Assert.That(status["properties"]!["reminders"], Is.Not.Null, "the notice's due-date reminders");
        Assert.That(Values(status["properties"]!["rejection_reason"]!), Does.Contain("USER_NOT_FOUND"));
        Assert.That(status["properties"]!["rejection_reason"]!["enum"]!.AsArray(), Has.Some.Null, "null while not rejected");
        Assert.That(Values(status["properties"]!["read_status"]!), Is.EquivalentTo(new[] { "READ", "UNREAD", "UNAVAILABLE" }));
        var channel = Resolve(status["properties"]!["channels"]!["items"]!);
        Assert.That(Values(channel["properties"]!["status"]!), Is.EquivalentTo(new[] { "PENDING", "DEFERRED", "THROTTLED", "SENT", "FAILED", "EXPIRED" }));
        Assert.That(channel["properties"]!["deferred_until"], Is.Not.Null, "when quiet hours let a deferred channel go");
    }

    [Test]
    public void Should_describe_the_status_callback_as_a_signed_webhook()
    {
        var webhook = _document["webhooks"]!["notice-status-changed"]!["post"]!;
        Assert.That(webhook["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()),
            Is.EquivalentTo(new[] { "X-Notifiche-Signature", "X-Notifiche-Timestamp" }));
        var body = webhook["requestBody"]!["content"]!["application/json"]!["schema"]!;
        Assert.That(body["required"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EquivalentTo(new[] { "notice_id", "status", "time" }));
        Assert.That(Values(body["properties"]!["status"]!), Does.Contain("SENT").And.Contain("READ"));
    }

    private IEnumerable<(string Path, JsonNode Operation)> Operations() =>
        _document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(o => o.Key is "get" or "post" or "put" or "patch" or "delete")
            .Select(o => ($"{o.Key.ToUpperInvariant()} {p.Key}", o.Value!)));

    private JsonNode Resolve(JsonNode schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference
            ? _document["components"]!["schemas"]![reference.Split('/')[^1]]!
            : schema["oneOf"]?.AsArray().FirstOrDefault(s => s!["$ref"] is not null) is { } nullable ? Resolve(nullable) : schema;

    private static string[] Values(JsonNode schema) =>
        [.. schema["enum"]!.AsArray().Where(v => v is not null).Select(v => v!.GetValue<string>())];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Notifiche.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Notifiche.sln not found above the test directory.");
    }
}

/// <summary>The broker ingress's contract (docs/asyncapi/notifiche-broker-v1.json) names exactly the messages' members.</summary>
public class The_asyncapi_document
{
    private static readonly JsonSerializerOptions Messages = new(JsonSerializerDefaults.Web) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
    private JsonNode _document = null!;

    [OneTimeSetUp]
    public void Read()
    {
        var root = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Notifiche.sln")))
        {
            root = root.Parent!;
        }

        _document = JsonNode.Parse(File.ReadAllText(Path.Combine(root.FullName, "docs", "asyncapi", "notifiche-broker-v1.json")))!;
    }

    [TestCase("SubmitNotice", typeof(Contracts.SubmitNotice))]
    [TestCase("NoticeSubmissionAccepted", typeof(Contracts.NoticeSubmissionAccepted))]
    [TestCase("NoticeSubmissionRejected", typeof(Contracts.NoticeSubmissionRejected))]
    public void Should_describe_every_member_of_the_message(string name, Type contract)
    {
        var payload = _document["components"]!["messages"]![name]!["payload"]!;
        Assert.That(Members(payload), Is.EquivalentTo(Members(contract)));
    }

    [Test]
    public void Should_describe_the_nested_members_of_a_submission()
    {
        var properties = _document["components"]!["messages"]!["SubmitNotice"]!["payload"]!["properties"]!;
        Assert.That(Members(properties["content"]!), Is.EquivalentTo(Members(typeof(Contracts.SubmittedContent))));
        Assert.That(Members(properties["defaultAddresses"]!), Is.EquivalentTo(Members(typeof(Contracts.SubmittedDefaultAddresses))));
        Assert.That(Members(properties["protocol"]!), Is.EquivalentTo(Members(typeof(Contracts.SubmittedProtocol))));
        Assert.That(Members(properties["escalation"]!["items"]!), Is.EquivalentTo(Members(typeof(Contracts.SubmittedEscalationStep))));
    }

    [Test]
    public void Should_list_every_rejection_reason()
    {
        var reasons = _document["components"]!["messages"]!["NoticeSubmissionRejected"]!["payload"]!["properties"]!["reason"]!["enum"]!
            .AsArray().Select(r => r!.GetValue<string>());
        var known = typeof(Contracts.SubmissionRejections).GetFields().Select(f => (string)f.GetRawConstantValue()!);
        Assert.That(reasons, Is.SupersetOf(known));
        Assert.That(reasons, Does.Contain("RATE_LIMITED"), "the broker ingress shares the HTTP rate limit (issue 16, point 2)");
    }

    [Test]
    public void Should_name_the_services_own_ingress_exchange()
    {
        var ingress = _document["channels"]!["ingress"]!;
        Assert.That(ingress["address"]!.GetValue<string>(), Is.EqualTo(Messaging.IngressTopology.ServiceExchange("{serviceId}")));
        Assert.That(ingress["bindings"]!["amqp"]!["exchange"]!["name"]!.GetValue<string>(), Is.EqualTo(Messaging.IngressTopology.ServiceExchange("{serviceId}")));
    }

    private static IEnumerable<string> Members(JsonNode schema) => schema["properties"]!.AsObject().Select(p => p.Key);

    private static IEnumerable<string> Members(Type contract) => Messages.GetTypeInfo(contract).Properties.Select(p => p.Name);
}
