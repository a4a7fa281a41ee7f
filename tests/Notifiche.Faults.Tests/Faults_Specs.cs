using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Notifiche.Testing;
using RabbitMQ.Client;

namespace Notifiche.Faults.Tests;

/// <summary>
/// Issue 5's fault-injection suite: each scenario submits a known set of notices, injects its fault under load and
/// reconciles — every accepted notice SENT or FAILED with a reason on each planned channel (lost = 0), no provider
/// receiving anything twice (duplicates = 0). Ledger lines go to the test output and artifacts/fault-ledger.txt.
/// </summary>
[Order(1)]
public class Under_faults
{
    private static FaultStack Stack => FaultStack.Current;

    [TearDown]
    public async Task RestoreAsync()
    {
        // Whatever a failed scenario left broken is mended, so the next one starts on a healthy platform.
        if (!Stack.Smtp.IsRunning)
        {
            await Stack.Smtp.StartAsync();
        }

        foreach (var service in Stack.Services.Where(s => s.ExitCode is not null))
        {
            await service.StartAsync();
        }

        await Stack.WaitAllReadyAsync();
    }

    [Test, Order(1)]
    public async Task Scenario_1_RabbitMQ_stopped_and_killed_mid_flow()
    {
        var batch = await Batch.CreateAsync("s1-broker", 240, allChannels: false);
        var submitting = batch.SubmitAllAsync();

        await WaitAsync(() => batch.Accepted >= 60, "a quarter of the notices accepted", batch);
        await Stack.Broker.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await Stack.Broker.StartAsync();
        await WaitAsync(() => batch.Accepted >= 150, "more notices accepted after the restart", batch);
        await Stack.Broker.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await Stack.Broker.StartAsync();
        await submitting;
        await Stack.WaitAllReadyAsync();

        AssertClean(await batch.ReconcileAsync(), 240);
    }

    [Test, Order(2)]
    public async Task Scenario_2_each_dispatcher_killed_mid_processing()
    {
        var batch = await Batch.CreateAsync("s2-dispatchers", 120, allChannels: true);
        // Slow providers keep requests in flight, so a kill lands between a provider call and its acknowledgement.
        Stack.Twilio.Answer = (_, _) => TwilioAnswer.Created($"SM{Guid.NewGuid():N}") with { Delay = TimeSpan.FromMilliseconds(40) };
        try
        {
            var smsBefore = Stack.Twilio.Accepted.Count;
            var pushBefore = Stack.Fcm.Delivered.Count;
            var emailBefore = Stack.Smtp.Count();
            var submitting = batch.SubmitAllAsync();

            await WaitAsync(() => Stack.Smtp.Count() >= emailBefore + 30, "some emails sent", batch);
            var inFlight = await KillAndRestartAsync(Stack.Email, batch, "dispatch_email");
            await WaitAsync(() => Stack.Twilio.Accepted.Count >= smsBefore + 30, "some SMS sent", batch);
            inFlight += await KillAndRestartAsync(Stack.Sms, batch, "dispatch_sms");
            await WaitAsync(() => Stack.Fcm.Delivered.Count >= pushBefore + 30, "some pushes sent", batch);
            inFlight += await KillAndRestartAsync(Stack.Push, batch, "dispatch_push");
            await submitting;

            // The only failures allowed: calls the kills interrupted after their request was handed over (UNKNOWN).
            AssertClean(await batch.ReconcileAsync(inFlight: inFlight), 120);
        }
        finally
        {
            Stack.Twilio.Answer = (_, _) => null;
        }
    }

    [Test, Order(3)]
    public async Task Scenario_3_gateway_killed_between_commit_and_publish()
    {
        var batch = await Batch.CreateAsync("s3-gateway", 150, allChannels: false);

        // With the broker down the gateway still commits notices and outbox rows, but cannot publish them.
        await Stack.Broker.StopAsync();
        await batch.SubmitAllAsync();
        var unpublished = await Stack.Database.ScalarAsync("gateway", "SELECT count(*) FROM outbox");
        await Stack.Gateway.KillAsync();
        await Stack.Broker.StartAsync();
        await Stack.Gateway.StartAsync();
        await Stack.WaitAllReadyAsync();

        TestContext.Out.WriteLine($"outbox rows committed but not published when the gateway was killed: {unpublished}");
        Assert.That(unpublished, Is.GreaterThanOrEqualTo(150), "the kill hit the window between commit and publish");
        AssertClean(await batch.ReconcileAsync(), 150);
        Assert.That(await Stack.Database.ScalarAsync("gateway", "SELECT count(*) FROM outbox"), Is.Zero, "the relay published the backlog");
    }

    [Test, Order(4)]
    public async Task Scenario_4_PostgreSQL_stopped_for_a_while()
    {
        var batch = await Batch.CreateAsync("s4-postgres", 200, allChannels: false);
        var before = batch.Notices.Take(100).ToList();
        var during = batch.Notices.Skip(100).Take(20).ToList();
        var after = batch.Notices.Skip(120).ToList();
        await batch.SubmitAsync(before);

        await Stack.Database.StopAsync();
        var answers = new List<(HttpStatusCode Status, TimeSpan Took, bool RetryAfter)>();
        foreach (var notice in during)
        {
            var watch = Stopwatch.StartNew();
            using var response = await batch.PostAsync(notice);
            answers.Add((response.StatusCode, watch.Elapsed, response.Headers.RetryAfter is not null));
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        await Stack.Database.StartAsync();
        await batch.SubmitAsync([.. during, .. after]);
        await Stack.WaitAllReadyAsync();

        TestContext.Out.WriteLine($"while PostgreSQL was down: {string.Join(", ", answers.GroupBy(a => a.Status).Select(g => $"{g.Count()}× {(int)g.Key}"))}, "
            + $"slowest answer {answers.Max(a => a.Took).TotalMilliseconds:0} ms");
        Assert.That(answers.Select(a => a.Status), Has.All.EqualTo(HttpStatusCode.ServiceUnavailable), "never 201 without a commit");
        Assert.That(answers.Select(a => a.RetryAfter), Has.All.True, "503 says when to retry");
        Assert.That(answers.Max(a => a.Took), Is.LessThan(TimeSpan.FromSeconds(10)), "answered promptly, not after a client timeout");
        AssertClean(await batch.ReconcileAsync(), 200);
        Assert.That(await Stack.Database.ScalarAsync("gateway", $"SELECT count(*) FROM notices WHERE service_id = '{ServiceIdOf(batch)}'"),
            Is.EqualTo(200), "one stored notice per accepted notice, none from the refused attempts");
    }

    [Test, Order(5)]
    public async Task Scenario_5_SMTP_server_down_for_a_while()
    {
        var batch = await Batch.CreateAsync("s5-smtp", 200, allChannels: false);
        var errorsBefore = await Stack.Broker.MessagesReadyAsync("send-email_error");
        var emailsBefore = Stack.Smtp.Count();
        var submitting = batch.SubmitAllAsync();

        await WaitAsync(() => Stack.Smtp.Count() >= emailsBefore + 40, "some emails sent", batch);
        await Stack.Smtp.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        await Stack.Smtp.StartAsync();
        await submitting;

        // The server is SIGKILLed: a transaction past its envelope at that instant may or may not have been stored, and
        // at most the dispatcher's pooled connections were in one. Everything else waits out the outage and is sent.
        var line = await batch.ReconcileAsync(inFlight: new InFlight(FaultStack.SmtpPoolSize, null));
        AssertClean(line, 200);
        Assert.That(await Stack.Broker.MessagesReadyAsync("send-email_error"), Is.EqualTo(errorsBefore), "nothing in send-email_error");
    }

    [Test, Order(6)]
    public async Task Scenario_6_poison_messages_beside_healthy_traffic()
    {
        var batch = await Batch.CreateAsync("s6-poison", 150, allChannels: false);
        var emailErrors = await Stack.Broker.MessagesReadyAsync("send-email_error");
        var emailSkipped = await Stack.Broker.MessagesReadyAsync("send-email_skipped");
        var routedErrors = await Stack.Broker.MessagesReadyAsync("notice-routed_error");
        var submitting = batch.SubmitAllAsync();

        await using (var connection = await Stack.Broker.Factory().CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
        {
            // Malformed JSON, a message type nobody consumes there, and a valid event that always throws (an unknown notice).
            await PublishAsync(channel, "Notifiche.Contracts:SendEmail", "{\"messageId\": \"broken", "urn:message:Notifiche.Contracts:SendEmail");
            await PublishAsync(channel, "Notifiche.Contracts:SendEmail", Envelope("urn:message:Notifiche.Contracts:SendTelegram", "{}"),
                "urn:message:Notifiche.Contracts:SendTelegram");
            await PublishAsync(channel, "Notifiche.Contracts:NoticeRouted", Envelope("urn:message:Notifiche.Contracts:NoticeRouted",
                $"{{\"noticeId\":\"{Guid.NewGuid()}\",\"channels\":[\"email\"],\"routedAt\":\"{DateTimeOffset.UtcNow:O}\"}}"),
                "urn:message:Notifiche.Contracts:NoticeRouted");
        }

        await submitting;
        var line = await batch.ReconcileAsync();
        await Eventually.Until(async () => (await Stack.Broker.MessagesReadyAsync("send-email_error"), await Stack.Broker.MessagesReadyAsync("send-email_skipped"),
                await Stack.Broker.MessagesReadyAsync("notice-routed_error")),
            q => q.Item1 == emailErrors + 1 && q.Item2 == emailSkipped + 1 && q.Item3 == routedErrors + 1, TimeSpan.FromSeconds(90),
            "each poison message in its _error or _skipped queue");

        AssertClean(line, 150);
    }

    [Test, Order(7)]
    public async Task Scenario_7_same_idempotency_key_sequentially_and_concurrently()
    {
        var batch = await Batch.CreateAsync("s7-idempotency", 60, allChannels: false);
        var statuses = new List<HttpStatusCode>();
        await Parallel.ForEachAsync(batch.Notices, new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (notice, _) =>
        {
            var answers = new List<HttpResponseMessage> { await batch.PostAsync(notice), await batch.PostAsync(notice) };
            answers.AddRange(await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => batch.PostAsync(notice))));
            var ids = await Task.WhenAll(answers.Select(async a => (await a.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid()));
            Assert.That(ids.Distinct().Count(), Is.EqualTo(1), "every answer names the same notice");
            batch.Record(notice, ids[0]);
            lock (statuses)
            {
                statuses.AddRange(answers.Select(a => a.StatusCode));
            }
        });

        Assert.That(statuses.Count(s => s == HttpStatusCode.Created), Is.EqualTo(60));
        Assert.That(statuses.Count(s => s == HttpStatusCode.OK), Is.EqualTo(60 * 5));
        AssertClean(await batch.ReconcileAsync(), 60);
        Assert.That(await Stack.Database.ScalarAsync("gateway", $"SELECT count(*) FROM notices WHERE service_id = '{ServiceIdOf(batch)}'"), Is.EqualTo(60));
    }

    [Test, Order(8)]
    public async Task Scenario_8_replay_from_the_error_queue_after_fixing_the_cause()
    {
        var batch = await Batch.CreateAsync("s8-replay", 40, allChannels: false);
        var errorsBefore = await ReadyNowAsync("send-email_error");

        // SMTP down longer than the email retry budget: every email ends in send-email_error and the channel FAILED.
        await Stack.Smtp.StopAsync();
        await batch.SubmitAllAsync();
        // FAILED comes from the Fault MassTransit publishes just before it moves the command to send-email_error: wait for
        // every FAILED first, then for the queue to hold them all, so no command of the batch is left behind by the replay.
        await batch.WaitForChannelAsync("email", "FAILED", TimeSpan.FromSeconds(120));
        await Eventually.Until(() => ReadyNowAsync("send-email_error"), n => n >= errorsBefore + 40, TimeSpan.FromSeconds(60),
            "the emails dead-lettered in send-email_error");
        await Stack.Smtp.StartAsync();

        var output = new StringWriter();
        var exit = await Notifiche.Dlq.Program.RunAsync(["replay", "--queue", "send-email_error", "--all",
            "--host", "127.0.0.1", "--port", Stack.Broker.Port.ToString(), "--vhost", "/", "--user", LocalRabbitMq.User,
            "--password", LocalRabbitMq.Password, "--management-port", Stack.Broker.ManagementPort.ToString()], output);
        TestContext.Out.WriteLine(output.ToString());

        Assert.That(exit, Is.Zero);
        // FAILED is final for reconciliation: wait for the replay to turn every email SENT before counting.
        await batch.WaitForChannelAsync("email", "SENT", TimeSpan.FromSeconds(120));
        var line = await batch.ReconcileAsync();
        AssertClean(line, 40);
        Assert.That(line.Sent, Is.EqualTo(40), "the replayed emails were delivered and their status says SENT");
    }

    [Test, Order(10)]
    public async Task Scenario_10_gateway_killed_while_taking_broker_submissions()
    {
        var batch = await Batch.CreateAsync("s10-ingress", 120, allChannels: false);
        await using var connection = await ServiceBrokerUserAsync(batch.ServiceId);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var publishing = Task.Run(async () =>
        {
            foreach (var notice in batch.Notices)
            {
                // Plain JSON as a non-MassTransit integration sends it; the submission id is its only identity (no idempotency key).
                var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
                {
                    submissionId = notice.IdempotencyKey, serviceId = batch.ServiceId, fiscalCode = notice.FiscalCode,
                    content = new { subject = "Il tuo referto è disponibile", markdown = new string('r', 100) },
                    defaultAddresses = new { email = notice.Email },
                });
                await channel.BasicPublishAsync(Notifiche.Messaging.IngressTopology.ServiceExchange(batch.ServiceId), string.Empty, false,
                    new BasicProperties { ContentType = "application/json", Persistent = true, UserId = batch.ServiceId }, body);
            }
        });

        // SIGKILL while submissions are being stored and acknowledged: some are committed and not yet acknowledged, and the
        // broker delivers them again to the restarted gateway.
        var stored = $"SELECT count(*) FROM notices WHERE service_id = '{batch.ServiceId}'";
        await Eventually.Until(() => Stack.Database.ScalarAsync("gateway", stored), n => n >= 30, TimeSpan.FromSeconds(120), "submissions being stored");
        await Stack.Gateway.KillAsync();
        await Stack.Gateway.StartAsync();
        await publishing;
        await Eventually.Until(() => ReadyNowAsync("submit-notice"), n => n == 0, TimeSpan.FromSeconds(120), "every submission taken");
        await Eventually.Until(() => Stack.Database.ScalarAsync("gateway", stored), n => n >= 120, TimeSpan.FromSeconds(60), "every submission stored");

        // Each submission's notice through its idempotency key (the gateway's key for a submission id: its SHA-256) — not
        // through the notice's default address, which is erased once the notice is routed (issue 16, point 10).
        Assert.That(await Stack.Database.ScalarAsync("gateway", stored), Is.EqualTo(120), "one notice per submission, however often it was delivered");
        var ids = (await Stack.Database.RowsAsync("gateway", $"SELECT key, notice_id FROM idempotency_keys WHERE service_id = '{batch.ServiceId}'"))
            .ToDictionary(r => r[0], r => Guid.Parse(r[1]));
        foreach (var notice in batch.Notices)
        {
            var key = $"submission:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(notice.IdempotencyKey)))}";
            Assert.That(ids.TryGetValue(key, out var id), Is.True, "every submission has its notice");
            batch.Record(notice, id);
        }

        Assert.That(ids.Values.Distinct().Count(), Is.EqualTo(120), "a notice for each submission, none shared");

        AssertClean(await batch.ReconcileAsync(), 120);
    }

    /// <summary>
    /// Nothing lost, nothing twice, and no failure the provider could not have caused: a channel may fail only as one of
    /// the provider calls a kill interrupted (none for scenarios that kill no dispatcher mid-call).
    /// </summary>
    private static void AssertClean(LedgerLine line, int submitted) => Assert.Multiple(() =>
    {
        Assert.That(line.Submitted, Is.EqualTo(submitted), "every notice was accepted");
        Assert.That(line.Lost, Is.Zero, $"lost: {string.Join("; ", line.Problems.Take(10))}");
        Assert.That(line.Duplicates, Is.Zero, $"duplicates: {string.Join("; ", line.Problems.Take(10))}");
        Assert.That(line.Failed, Is.LessThanOrEqualTo((line.InFlight ?? InFlight.None).Claims),
            $"failed beyond the provider calls in flight at a kill: {string.Join(", ", line.FailureReasons.Select(r => $"{r.Value}× {r.Key}"))}");
    });

    /// <summary>SIGKILL mid-processing; the claims its ledger holds at that instant are the provider calls it interrupted.</summary>
    private static async Task<InFlight> KillAndRestartAsync(ServiceProcess service, Batch batch, string ledgerDatabase)
    {
        await service.KillAsync();
        var inFlight = await batch.InFlightAsync(ledgerDatabase);
        await service.StartAsync();
        return inFlight;
    }

    /// <summary>
    /// Waits (generously) for a scenario's progress; when it does not come, fails with the platform's state at that
    /// moment (<see cref="FaultStack.DescribeAsync"/>), so a stall can be told from slowness after the fact.
    /// </summary>
    private static async Task WaitAsync(Func<bool> condition, string what, Batch? batch = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var state = await Stack.DescribeAsync(batch?.ServiceId);
                TestContext.Out.WriteLine(state);
                Assert.Fail($"Timed out after 120 s waiting for: {what}\n{state}");
            }

            await Task.Delay(100);
        }
    }

    private static string ServiceIdOf(Batch batch) => batch.ServiceId;

    /// <summary>The service's own broker user (named after it, allowed to publish on the ingress exchange only), connected.</summary>
    private static async Task<IConnection> ServiceBrokerUserAsync(string serviceId)
    {
        const string password = "fault-service-broker-password";
        using var api = Stack.Broker.ManagementApi(TimeSpan.FromSeconds(100));
        (await api.PutAsJsonAsync($"users/{serviceId}", new { password, tags = "" })).EnsureSuccessStatusCode();
        // As deployed (issue 16, point 2): write on its own ingress exchange, which the gateway declared at registration.
        var (configure, write, read) = Notifiche.Messaging.IngressTopology.Permissions(serviceId);
        (await api.PutAsJsonAsync($"permissions/%2F/{serviceId}", new { configure, write, read })).EnsureSuccessStatusCode();
        var factory = Stack.Broker.Factory();
        factory.UserName = serviceId;
        factory.Password = password;
        return await factory.CreateConnectionAsync();
    }

    /// <summary>Messages ready in a queue as the broker counts them right now (the management API's figures lag by seconds).</summary>
    private static async Task<long> ReadyNowAsync(string queue)
    {
        await using var connection = await Stack.Broker.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    private static string Envelope(string messageType, string message) =>
        $"{{\"messageId\":\"{Guid.NewGuid()}\",\"messageType\":[\"{messageType}\"],\"message\":{message}}}";

    private static Task PublishAsync(IChannel channel, string exchange, string body, string messageType) =>
        channel.BasicPublishAsync(exchange, string.Empty, false, new BasicProperties
        {
            ContentType = "application/vnd.masstransit+json", Persistent = true, MessageId = Guid.NewGuid().ToString(),
            Headers = new Dictionary<string, object?> { ["MT-MessageType"] = messageType },
        }, Encoding.UTF8.GetBytes(body)).AsTask();
}
