using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Notifiche.Messaging;
using Notifiche.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Notifiche.EndToEnd.Tests;

/// <summary>
/// A PA service that submits over AMQP, as a non-MassTransit integration would: its own broker user with the
/// permissions the runbook gives, plain JSON with <c>user_id</c> set, replies read from its own queue.
/// </summary>
public sealed class BrokerService : IAsyncDisposable
{
    private const string Password = "service-broker-password";

    private BrokerService(string id, HttpClient http, IConnection connection, IChannel channel)
    {
        Id = id;
        Http = http;
        Connection = connection;
        Channel = channel;
    }

    public string Id { get; }
    /// <summary>The same service's HTTP client (to read status, or compare with the HTTP path).</summary>
    public HttpClient Http { get; }
    public IConnection Connection { get; }
    public IChannel Channel { get; }
    public string ReplyQueue => $"{Id}.replies";

    public static async Task<BrokerService> StartAsync(string prefix, params string[] allowedChannels)
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..30];
        var http = await Platform.Hosts.RegisterServiceAsync(id, allowedChannels);
        await Platform.Hosts.Vhost.CreateUserAsync(id, Password, IngressTopology.Permissions(id));
        var connection = await ConnectAsync(id);
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        // As README says: the reply exchange exists once the service is registered; the client only binds its queue.
        await channel.QueueDeclareAsync($"{id}.replies", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync($"{id}.replies", IngressTopology.ReplyExchange(id), string.Empty);
        return new BrokerService(id, http, connection, channel);
    }

    public static Task<IConnection> ConnectAsync(string user) => new ConnectionFactory
    {
        HostName = TestEnvironment.RabbitMqHost, Port = TestEnvironment.RabbitMqPort, VirtualHost = Platform.Hosts.Vhost.Name,
        UserName = user, Password = Password,
    }.CreateConnectionAsync();

    /// <summary>Publishes a SubmitNotice as plain JSON on the service's own ingress exchange; returns once the broker confirmed it.</summary>
    public Task PublishAsync(object message, string? userId = "", IChannel? channel = null) =>
        PublishRawAsync(JsonSerializer.SerializeToUtf8Bytes(message), userId, channel);

    public async Task PublishRawAsync(byte[] body, string? userId = "", IChannel? channel = null, string? exchange = null) =>
        await (channel ?? Channel).BasicPublishAsync(exchange ?? IngressTopology.ServiceExchange(Id), string.Empty, false, new BasicProperties
        {
            ContentType = "application/json", Persistent = true, UserId = userId == string.Empty ? Id : userId, MessageId = Guid.NewGuid().ToString(),
        }, body);

    /// <summary>The next reply on this service's queue, as the broker delivered it.</summary>
    public async Task<BasicGetResult> NextRawReplyAsync() =>
        (await Eventually.Until(() => Channel.BasicGetAsync(ReplyQueue, autoAck: true), r => r is not null,
            TimeSpan.FromSeconds(60), "a reply from the gateway"))!;

    /// <summary>The next reply on this service's queue: plain JSON, as the submission was.</summary>
    public async Task<JsonElement> NextReplyAsync()
    {
        var reply = await NextRawReplyAsync();
        Assert.That(reply.BasicProperties.ContentType, Is.EqualTo("application/json"), "a plain-JSON submission is answered in plain JSON");
        var message = JsonDocument.Parse(reply.Body).RootElement.Clone();
        TestContext.Out.WriteLine($"reply: {message}");
        return message;
    }

    public static object Notice(string serviceId, string? email = null, string subject = "La tua carta d'identità scade tra 30 giorni",
        string fiscalCode = NoticeApi.FiscalCode, string? submissionId = null, string? idempotencyKey = null) => new
    {
        submissionId = submissionId ?? Guid.NewGuid().ToString(),
        serviceId,
        idempotencyKey,
        fiscalCode,
        content = new
        {
            subject,
            markdown = "Gentile cittadino, la tua **carta d'identità** scade il 26/12/2026.\n\nPrenota il rinnovo su [prenotazioni](https://example.it/prenota).",
        },
        defaultAddresses = email is null ? null : new { email },
    };

    public async ValueTask DisposeAsync()
    {
        await Channel.DisposeAsync();
        await Connection.DisposeAsync();
        Http.Dispose();
    }
}

public class Submitting_a_notice_over_the_broker
{
    private BrokerService _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _service = await BrokerService.StartAsync("ingress");

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    [Test]
    public async Task Should_accept_it_reply_with_the_notice_id_and_deliver_the_email()
    {
        var address = $"ingress-{Guid.NewGuid():N}@example.it";
        await _service.PublishAsync(BrokerService.Notice(_service.Id, address, submissionId: "pratica-42"));

        var reply = await _service.NextReplyAsync();

        Assert.That(reply.GetProperty("submissionId").GetString(), Is.EqualTo("pratica-42"));
        Assert.That(reply.GetProperty("serviceId").GetString(), Is.EqualTo(_service.Id));
        var id = reply.GetProperty("noticeId").GetGuid();
        await NoticeApi.WaitForChannelAsync(_service.Http, id, "email", "SENT");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Should_answer_a_retry_with_the_same_idempotency_key_with_the_original_notice()
    {
        var key = Guid.NewGuid().ToString();
        var address = $"ingress-retry-{Guid.NewGuid():N}@example.it";
        await _service.PublishAsync(BrokerService.Notice(_service.Id, address, idempotencyKey: key));
        var first = await _service.NextReplyAsync();
        await _service.PublishAsync(BrokerService.Notice(_service.Id, address, idempotencyKey: key));
        var retry = await _service.NextReplyAsync();

        Assert.That(retry.GetProperty("noticeId").GetGuid(), Is.EqualTo(first.GetProperty("noticeId").GetGuid()));
        Assert.That(first.GetProperty("replayed").GetBoolean(), Is.False);
        Assert.That(retry.GetProperty("replayed").GetBoolean(), Is.True);
        await NoticeApi.WaitForChannelAsync(_service.Http, first.GetProperty("noticeId").GetGuid(), "email", "SENT");
        Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Should_answer_a_redelivered_submission_without_idempotency_key_with_the_original_notice()
    {
        // The same message twice, as the broker redelivers it when the gateway died between its commit and its ack.
        var address = $"ingress-redelivered-{Guid.NewGuid():N}@example.it";
        var submission = BrokerService.Notice(_service.Id, address, submissionId: $"pratica-{Guid.NewGuid():N}");
        await _service.PublishAsync(submission);
        var first = await _service.NextReplyAsync();
        await _service.PublishAsync(submission);
        var again = await _service.NextReplyAsync();

        var id = first.GetProperty("noticeId").GetGuid();
        await NoticeApi.WaitForChannelAsync(_service.Http, id, "email", "SENT");
        Assert.Multiple(() =>
        {
            Assert.That(again.GetProperty("noticeId").GetGuid(), Is.EqualTo(id), "one notice");
            Assert.That(again.GetProperty("replayed").GetBoolean(), Is.True);
            Assert.That(Platform.Hosts.Smtp.MessagesTo(address), Has.Count.EqualTo(1), "one email");
        });
    }

    [Test]
    public async Task Should_reject_an_invalid_notice_with_the_errors_the_http_api_gives_and_store_nothing()
    {
        var before = await Platform.Hosts.Database.CountAsync("notices");
        await _service.PublishAsync(BrokerService.Notice(_service.Id, "not-an-address", subject: "Breve", fiscalCode: "RSSMRA85T10A562X"));

        var reply = await _service.NextReplyAsync();
        var http = await _service.Http.PostAsJsonAsync("/api/v1/notices",
            NoticeApi.Body("not-an-address", subject: "Breve", fiscalCode: "RSSMRA85T10A562X"));
        var httpErrors = (await http.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");

        Assert.That(reply.GetProperty("reason").GetString(), Is.EqualTo("INVALID_NOTICE"));
        var errors = reply.GetProperty("errors");
        Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[] { "fiscalCode", "content.subject", "defaultAddresses.email" }));
        Assert.That(errors.GetProperty("fiscalCode")[0].GetString(), Is.EqualTo(httpErrors.GetProperty("fiscal_code")[0].GetString()));
        Assert.That(errors.GetProperty("content.subject")[0].GetString(), Is.EqualTo(httpErrors.GetProperty("content.subject")[0].GetString()));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }

    [Test]
    public async Task Should_carry_the_reference_and_protocol_into_the_status_as_over_http()
    {
        var submission = JsonSerializer.SerializeToNode(BrokerService.Notice(_service.Id, $"ingress-reference-{Guid.NewGuid():N}@example.it"))!;
        submission["reference"] = "  TARI-2026/000456  ";
        submission["protocol"] = new System.Text.Json.Nodes.JsonObject { ["number"] = "c_h501/AOO/2026/0012346", ["date"] = "2026-11-27" };
        await _service.PublishRawAsync(JsonSerializer.SerializeToUtf8Bytes(submission));

        var reply = await _service.NextReplyAsync();

        Assert.That(reply.TryGetProperty("noticeId", out var id), Is.True, reply.ToString());
        var status = await NoticeApi.StatusAsync(_service.Http, id.GetGuid());
        Assert.That(status.GetProperty("reference").GetString(), Is.EqualTo("TARI-2026/000456"), "trimmed, as over HTTP");
        Assert.That(status.GetProperty("protocol").GetProperty("number").GetString(), Is.EqualTo("c_h501/AOO/2026/0012346"));
        Assert.That(status.GetProperty("protocol").GetProperty("date").GetString(), Is.EqualTo("2026-11-27"));
    }

    [Test]
    public async Task Should_reject_a_bad_reference_or_protocol_naming_them_and_store_nothing()
    {
        var before = await Platform.Hosts.Database.CountAsync("notices");
        var submission = JsonSerializer.SerializeToNode(BrokerService.Notice(_service.Id, $"ingress-reference-bad-{Guid.NewGuid():N}@example.it"))!;
        submission["reference"] = new string('7', 129);
        submission["protocol"] = new System.Text.Json.Nodes.JsonObject { ["number"] = "0012345" };
        await _service.PublishRawAsync(JsonSerializer.SerializeToUtf8Bytes(submission));

        var reply = await _service.NextReplyAsync();

        Assert.That(reply.GetProperty("reason").GetString(), Is.EqualTo("INVALID_NOTICE"));
        Assert.That(reply.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[] { "reference", "protocol.date" }));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }

    [Test]
    public async Task Should_send_from_a_template_as_over_http_and_name_each_missing_or_unknown_placeholder()
    {
        var created = await _service.Http.PostAsJsonAsync("/api/v1/templates", new
        {
            name = "Scadenza TARI",
            languages = new
            {
                it = new
                {
                    subject = "Scadenza della TARI per ((nome_cognome))",
                    markdown = "Gentile ((nome_cognome)), la rata della **TARI** scade il ((scadenza)): puoi pagarla con pagoPA dall'app dei servizi pubblici.",
                },
            },
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var templateId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var address = $"ingress-template-{Guid.NewGuid():N}@example.it";
        System.Text.Json.Nodes.JsonNode Templated(System.Text.Json.Nodes.JsonObject personalisation)
        {
            var submission = JsonSerializer.SerializeToNode(BrokerService.Notice(_service.Id, address))!;
            submission.AsObject().Remove("content");
            submission["templateId"] = templateId.ToString();
            submission["personalisation"] = personalisation;
            return submission;
        }

        var before = await Platform.Hosts.Database.CountAsync("notices");
        await _service.PublishRawAsync(JsonSerializer.SerializeToUtf8Bytes(Templated(new() { ["nome_cognome"] = "Maria Rossi", ["scadenza_rata"] = "31/01/2027" })));
        var refused = await _service.NextReplyAsync();
        Assert.That(refused.GetProperty("reason").GetString(), Is.EqualTo("INVALID_NOTICE"));
        Assert.That(refused.GetProperty("errors").EnumerateObject().Select(e => e.Name),
            Is.EquivalentTo(new[] { "personalisation.scadenza", "personalisation.scadenza_rata" }), "placeholders named as the template names them");
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));

        await _service.PublishRawAsync(JsonSerializer.SerializeToUtf8Bytes(Templated(new() { ["nome_cognome"] = "Maria Rossi", ["scadenza"] = "31/01/2027" })));
        var reply = await _service.NextReplyAsync();

        Assert.That(reply.TryGetProperty("noticeId", out var id), Is.True, reply.ToString());
        await NoticeApi.WaitForChannelAsync(_service.Http, id.GetGuid(), "email", "SENT");
        var email = Platform.Hosts.Smtp.MessagesTo(address).Single();
        Assert.That(email.Subject, Is.EqualTo("Scadenza della TARI per Maria Rossi"));
        Assert.That(email.TextBody, Does.Contain("Gentile Maria Rossi").And.Contain("31/01/2027"));
    }

    [Test]
    public async Task Should_reject_a_plain_json_submission_with_an_unknown_member_naming_it_and_store_nothing()
    {
        var before = await Platform.Hosts.Database.CountAsync("notices");
        var submission = JsonSerializer.SerializeToNode(BrokerService.Notice(_service.Id, $"unknown-{Guid.NewGuid():N}@example.it"))!;
        // A misspelt member (`escalations` for `escalation`) or one of a later version: refused, never silently ignored.
        submission["escalations"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["after"] = "PT48H", ["channels"] = new System.Text.Json.Nodes.JsonArray("email") });
        await _service.PublishRawAsync(JsonSerializer.SerializeToUtf8Bytes(submission));

        var reply = await _service.NextReplyAsync();

        Assert.That(reply.GetProperty("reason").GetString(), Is.EqualTo("INVALID_NOTICE"));
        Assert.That(reply.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "escalations" }));
        Assert.That(reply.GetProperty("detail").GetString(), Does.Contain("escalations"));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }

    [TestCase("urgent", "\"yes\"", "urgent")]
    [TestCase("escalation", "[\"PT48H\"]", "escalation[0]")]
    public async Task Should_reject_a_plain_json_submission_with_a_member_of_the_wrong_type_naming_it_and_store_nothing(string member, string value, string field)
    {
        // A known member whose value is not of its type (over HTTP a 400 naming the field): answered the same way, not left
        // without a reply in submit-notice_error.
        var before = await Platform.Hosts.Database.CountAsync("notices");
        var submission = JsonSerializer.SerializeToNode(BrokerService.Notice(_service.Id, $"wrong-type-{Guid.NewGuid():N}@example.it", submissionId: "pratica-wrong-type"))!;
        submission[member] = System.Text.Json.Nodes.JsonNode.Parse(value);
        await _service.PublishRawAsync(JsonSerializer.SerializeToUtf8Bytes(submission));

        var reply = await _service.NextReplyAsync();

        Assert.That(reply.GetProperty("reason").GetString(), Is.EqualTo("INVALID_NOTICE"));
        Assert.That(reply.GetProperty("submissionId").GetString(), Is.EqualTo("pratica-wrong-type"));
        Assert.That(reply.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { field }));
        Assert.That(reply.GetProperty("detail").GetString(), Does.Contain(field));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }

    [Test]
    public async Task Should_refuse_a_message_claiming_another_service_and_tell_the_publisher()
    {
        var before = await Platform.Hosts.Database.CountAsync("notices");
        await _service.PublishAsync(BrokerService.Notice("comune-di-altrove", "victim@example.it"));

        var reply = await _service.NextReplyAsync();

        Assert.That(reply.GetProperty("reason").GetString(), Is.EqualTo("SERVICE_MISMATCH"));
        Assert.That(reply.GetProperty("serviceId").GetString(), Is.EqualTo(_service.Id));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }

    [Test]
    public async Task Should_not_let_a_service_publish_as_another_broker_user()
    {
        var before = await Platform.Hosts.Database.CountAsync("notices");
        await using var channel = await _service.Connection.CreateChannelAsync(new CreateChannelOptions(true, true));

        // RabbitMQ itself refuses a user_id other than the connection's user (PRECONDITION_FAILED), before the gateway sees it.
        var refused = Assert.CatchAsync(async () =>
            await _service.PublishAsync(BrokerService.Notice("comune-di-altrove", "victim@example.it"), "comune-di-altrove", channel));

        TestContext.Out.WriteLine(refused?.Message);
        Assert.That(refused, Is.InstanceOf<OperationInterruptedException>().Or.InstanceOf<AlreadyClosedException>());
        Assert.That(channel.CloseReason?.ReplyCode, Is.EqualTo(406));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }

    [Test]
    public async Task Should_keep_a_message_without_user_id_in_the_error_queue_with_the_reason()
    {
        var before = await Platform.Hosts.Database.CountAsync("notices");
        await _service.PublishAsync(BrokerService.Notice(_service.Id, "anonymous@example.it"), userId: null);

        var faulted = await Eventually.Until(() => Platform.Hosts.Vhost.PeekAsync($"{IngressTopology.Queue}_error", 50),
            messages => messages.EnumerateArray().Any(m => m.GetProperty("properties").GetProperty("headers")
                .GetProperty("MT-Fault-Message").GetString()!.Contains("user_id")),
            TimeSpan.FromSeconds(60), "the submission without user_id in submit-notice_error");

        Assert.That(faulted.GetArrayLength(), Is.GreaterThan(0));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }

    [Test]
    public async Task Should_move_malformed_json_to_the_error_queue_and_keep_accepting()
    {
        await _service.PublishRawAsync(Encoding.UTF8.GetBytes("{\"serviceId\": \"" + _service.Id + "\", \"content\": {"));
        await Eventually.Until(() => Platform.Hosts.Vhost.PeekAsync($"{IngressTopology.Queue}_error", 50),
            messages => messages.EnumerateArray().Any(m => m.GetProperty("payload").GetString()!.EndsWith("\"content\": {")),
            TimeSpan.FromSeconds(60), "the malformed submission in submit-notice_error");

        await _service.PublishAsync(BrokerService.Notice(_service.Id, $"after-poison-{Guid.NewGuid():N}@example.it"));

        Assert.That((await _service.NextReplyAsync()).TryGetProperty("noticeId", out _), Is.True);
    }
}

public class A_service_broker_user
{
    private BrokerService _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _service = await BrokerService.StartAsync("ingress-perm");

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    [Test]
    public async Task Should_not_publish_platform_events()
    {
        await using var channel = await _service.Connection.CreateChannelAsync(new CreateChannelOptions(true, true));

        Assert.CatchAsync(async () => await channel.BasicPublishAsync("Notifiche.Contracts:NoticeSubmitted", string.Empty, false,
            new BasicProperties { ContentType = "application/json", UserId = _service.Id }, "{}"u8.ToArray()));

        Assert.That(channel.CloseReason?.ReplyCode, Is.EqualTo(403));
    }

    /// <summary>
    /// Issue 16, point 2: a service's broker user may write on its own ingress exchange only — not on the gateway's shared
    /// <c>notifiche.ingress</c>, not on another service's — and may not redeclare (or delete) its own ingress exchange.
    /// </summary>
    [Test]
    public async Task Should_publish_only_to_its_own_ingress_exchange()
    {
        await using var other = await BrokerService.StartAsync("ingress-other");
        foreach (var exchange in new[] { IngressTopology.Exchange, IngressTopology.ServiceExchange(other.Id) })
        {
            await using var channel = await _service.Connection.CreateChannelAsync(new CreateChannelOptions(true, true));
            Assert.CatchAsync(async () => await _service.PublishRawAsync(
                JsonSerializer.SerializeToUtf8Bytes(BrokerService.Notice(_service.Id, "elsewhere@example.it")), channel: channel, exchange: exchange), exchange);
            Assert.That(channel.CloseReason?.ReplyCode, Is.EqualTo(403), $"ACCESS_REFUSED writing to {exchange}");
        }

        await using var declaring = await _service.Connection.CreateChannelAsync();
        Assert.CatchAsync(async () => await declaring.ExchangeDeleteAsync(IngressTopology.ServiceExchange(_service.Id)));
        Assert.That(declaring.CloseReason?.ReplyCode, Is.EqualTo(403), "ACCESS_REFUSED deleting its own ingress exchange");
    }

    [Test]
    public async Task Should_not_read_the_platform_queues()
    {
        await using var channel = await _service.Connection.CreateChannelAsync();

        Assert.CatchAsync(async () => await channel.BasicGetAsync("send-email", autoAck: false));

        Assert.That(channel.CloseReason?.ReplyCode, Is.EqualTo(403));
    }
}

/// <summary>Issue 16, point 2: the broker ingress takes from the same token bucket as POST /api/v1/notices.</summary>
public class A_service_over_its_rate_limit_on_the_broker
{
    [Test]
    public async Task Should_be_refused_rate_limited_sharing_the_allowance_with_http()
    {
        await using var service = await BrokerService.StartAsync("ingress-rate");
        await Platform.Hosts.OperatorAsync<Dictionary<string, object>>(HttpMethod.Patch, $"/api/v1/admin/services/{service.Id}",
            new { rate_limit = new { per_second = 0.01, burst = 2 } });
        var before = await Platform.Hosts.Database.CountAsync("notices");

        await service.PublishAsync(BrokerService.Notice(service.Id, $"rate-1-{Guid.NewGuid():N}@example.it"));
        var first = await service.NextReplyAsync();
        var http = await service.Http.PostAsJsonAsync("/api/v1/notices", NoticeApi.Body($"rate-2-{Guid.NewGuid():N}@example.it"));
        await service.PublishAsync(BrokerService.Notice(service.Id, $"rate-3-{Guid.NewGuid():N}@example.it"));
        var third = await service.NextReplyAsync();

        Assert.That(first.TryGetProperty("noticeId", out _), Is.True, "the first of the burst, accepted");
        Assert.That((int)http.StatusCode, Is.EqualTo(201), "the second, over HTTP, from the same bucket");
        Assert.That(third.GetProperty("reason").GetString(), Is.EqualTo("RATE_LIMITED"));
        Assert.That(third.GetProperty("detail").GetString(), Does.Contain("submit again in"));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before + 2), "the refused one stored nothing");
    }
}

public class A_suspended_service_submitting_over_the_broker
{
    [Test]
    public async Task Should_be_refused_for_the_same_reason_as_over_http()
    {
        await using var service = await BrokerService.StartAsync("ingress-susp");
        await Platform.Hosts.OperatorAsync<Dictionary<string, object>>(HttpMethod.Post, $"/api/v1/admin/services/{service.Id}/suspend");
        var before = await Platform.Hosts.Database.CountAsync("notices");

        await service.PublishAsync(BrokerService.Notice(service.Id, "suspended@example.it"));
        var reply = await service.NextReplyAsync();
        var http = await service.Http.PostAsJsonAsync("/api/v1/notices", NoticeApi.Body("suspended@example.it"));

        Assert.That(reply.GetProperty("reason").GetString(), Is.EqualTo("SERVICE_SUSPENDED"));
        Assert.That((int)http.StatusCode, Is.EqualTo(403));
        Assert.That(await Platform.Hosts.Database.CountAsync("notices"), Is.EqualTo(before));
    }
}

/// <summary>What an independent AMQP client (not MassTransit) sees, following README: no envelope, no host details.</summary>
public class Replies_to_an_independent_client
{
    private BrokerService _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _service = await BrokerService.StartAsync("ingress-plain");

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    [Test]
    public async Task Should_find_the_ingress_and_reply_exchanges_declared_as_soon_as_the_service_is_registered()
    {
        var id = $"ingress-decl-{Guid.NewGuid():N}"[..30];
        using var http = await Platform.Hosts.RegisterServiceAsync(id);
        await Platform.Hosts.Vhost.CreateUserAsync(id, "service-broker-password", IngressTopology.Permissions(id));
        await using var connection = await BrokerService.ConnectAsync(id);
        await using var channel = await connection.CreateChannelAsync();

        // Without the gateway's declaration this is 404 NOT_FOUND - no exchange 'notifiche.replies.<id>'.
        await channel.ExchangeDeclarePassiveAsync(IngressTopology.ReplyExchange(id));
        await channel.ExchangeDeclarePassiveAsync(IngressTopology.ServiceExchange(id));
        await channel.QueueDeclareAsync($"{id}.replies", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync($"{id}.replies", IngressTopology.ReplyExchange(id), string.Empty);

        Assert.That(channel.IsOpen, Is.True);
    }

    [Test]
    public async Task Should_answer_plain_json_with_plain_json_that_tells_nothing_about_the_gateway_host()
    {
        await _service.PublishAsync(BrokerService.Notice(_service.Id, $"plain-{Guid.NewGuid():N}@example.it", submissionId: "pratica-plain"));

        var reply = await _service.NextRawReplyAsync();

        var body = Encoding.UTF8.GetString(reply.Body.Span);
        var headers = (reply.BasicProperties.Headers ?? new Dictionary<string, object?>()).ToDictionary(h => h.Key,
            h => h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : h.Value?.ToString());
        TestContext.Out.WriteLine(body);
        TestContext.Out.WriteLine(string.Join(Environment.NewLine, headers.Select(h => $"{h.Key}: {h.Value}")));
        var message = JsonDocument.Parse(body).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(reply.BasicProperties.ContentType, Is.EqualTo("application/json"));
            Assert.That(reply.BasicProperties.Type, Is.EqualTo("NoticeSubmissionAccepted"));
            Assert.That(message.GetProperty("submissionId").GetString(), Is.EqualTo("pratica-plain"));
            Assert.That(message.TryGetProperty("noticeId", out _), Is.True, "the reply itself, not an envelope");
            Assert.That(message.TryGetProperty("message", out _) || message.TryGetProperty("host", out _), Is.False, "no MassTransit envelope");
            Assert.That(body, Does.Not.Contain(Environment.MachineName));
            Assert.That(headers.Keys, Has.None.StartsWith("MT-Host").And.None.StartsWith("MT-Source"));
            Assert.That(headers.Values, Has.None.Contains(Environment.MachineName));
            Assert.That(headers.Values, Has.None.Contains("MassTransit"));
        });
    }
}

/// <summary>
/// Issue 16, point 2: the broker refuses a message over 256 KiB (<c>max_message_size</c>, as deploy/rabbitmq/rabbitmq.conf
/// and the Kubernetes cluster set it) at publish, so the gateway's ingress never has to read one; the service's next
/// submission on a new channel goes through.
/// </summary>
public class Submitting_an_oversized_message_over_the_broker
{
    [Test]
    public async Task Should_be_refused_by_the_broker_and_leave_the_ingress_serving()
    {
        await using var service = await BrokerService.StartAsync("ingress-size");
        var oversized = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(BrokerService.Notice(service.Id)).Replace("Gentile", new string('a', 300 * 1024)));

        var refused = Assert.CatchAsync(async () => await service.PublishRawAsync(oversized));
        TestContext.Out.WriteLine(refused!.ToString());
        Assert.That(service.Channel.CloseReason?.ReplyCode, Is.EqualTo(406), "PRECONDITION_FAILED: message size over max_message_size");
        Assert.That(service.Channel.CloseReason?.ReplyText, Does.Contain("max size"));

        await using var channel = await service.Connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await service.PublishAsync(BrokerService.Notice(service.Id, $"ingress-size-{Guid.NewGuid():N}@example.it", submissionId: "dopo"), channel: channel);
        var reply = (await Eventually.Until(() => channel.BasicGetAsync(service.ReplyQueue, autoAck: true), r => r is not null,
            TimeSpan.FromSeconds(60), "a reply from the gateway"))!;
        using var message = JsonDocument.Parse(reply.Body);
        Assert.That(message.RootElement.GetProperty("submissionId").GetString(), Is.EqualTo("dopo"));
        Assert.That(message.RootElement.TryGetProperty("noticeId", out _), Is.True, "accepted");
    }
}
