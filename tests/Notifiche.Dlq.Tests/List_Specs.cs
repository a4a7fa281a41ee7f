using System.Text.Json;
using Notifiche.Messaging;
using Notifiche.Testing;

namespace Notifiche.Dlq.Tests;

public class Listing_dead_letters
{
    private DeadLetterBroker _broker = null!;

    [SetUp]
    public async Task StartAsync() => _broker = await DeadLetterBroker.StartAsync("dlq-list");

    [TearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    public async Task Should_list_every_dead_letter_queue_with_its_count()
    {
        await _broker.DeclareAsync("send-email");
        await _broker.DeclareAsync("send-email_error");
        await _broker.DeclareAsync("send-sms_skipped");
        await _broker.PublishFaultedAsync("send-email_error");
        await _broker.PublishFaultedAsync("send-email_error");

        var run = await _broker.RunAsync("list");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        var lines = run.Output.Split('\n');
        Assert.That(lines.Single(l => l.TrimStart().StartsWith("send-email_error")), Does.Match(@"send-email_error\s+2\s+send-email"));
        Assert.That(lines.Single(l => l.TrimStart().StartsWith("send-sms_skipped")), Does.Match(@"send-sms_skipped\s+0\s+send-sms"));
        Assert.That(lines.Single(l => l.TrimStart().StartsWith(DeadLetters.Queue)), Does.Match($@"{DeadLetters.Queue}\s+0\s"));
        Assert.That(lines.Where(l => l.TrimStart().StartsWith("send-email ")), Is.Empty, "a queue of live work is not a dead-letter queue");
        Assert.That(run.Output, Does.Contain("2 message(s) in all"));
    }

    [Test]
    public async Task Should_list_the_messages_of_a_queue_with_ids_type_notice_age_and_reason_and_no_personal_data()
    {
        await _broker.DeclareAsync("send-email_error");
        var first = await _broker.PublishFaultedAsync("send-email_error");
        // A reason that quotes an address and a codice fiscale (ours never do; a library's exception might).
        var second = await _broker.PublishFaultedAsync("send-email_error",
            $"SMTP 450 for <{DeadLetterBroker.Email}> (cf {DeadLetterBroker.FiscalCode}, tel {DeadLetterBroker.Phone}) " + new string('x', 300));

        var run = await _broker.RunAsync("list", "--queue", "send-email_error");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("send-email_error: 2 message(s)"));
        var firstLine = run.Output.Split('\n').Single(l => l.Contains(first.MessageId));
        Assert.That(firstLine, Does.Contain(first.NoticeId));
        Assert.That(firstLine, Does.Contain("SendEmail"));
        Assert.That(firstLine, Does.Contain("TransientFailureException: SMTP connection: Connection refused"));
        Assert.That(firstLine, Does.Match(@"\s5m\d\ds\s"), "age since the fault");
        var secondLine = run.Output.Split('\n').Single(l => l.Contains(second.MessageId));
        Assert.That(secondLine, Does.Contain(second.NoticeId));
        Assert.That(secondLine, Does.Contain("<email>").And.Contain("<codice-fiscale>").And.Contain("<phone>"));
        Assert.That(secondLine, Does.EndWith("…"), "long reasons are cut");
        Assert.That(secondLine.Length, Is.LessThan(first.MessageId.Length + first.NoticeId.Length + 200));
        AssertNoPersonalData(run.Output);
        await Eventually.Until(() => _broker.CountAsync("send-email_error"), n => n == 2, TimeSpan.FromSeconds(10),
            "listing leaves the messages in place (requeued by the broker once the tool's channel closed)");
    }

    [Test]
    public async Task Should_list_the_queues_as_json_on_request()
    {
        await _broker.DeclareAsync("send-email_error");
        await _broker.DeclareAsync("send-sms_skipped");
        await _broker.PublishFaultedAsync("send-email_error");

        var run = await _broker.RunAsync("list", "--output", "json");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        var listed = JsonDocument.Parse(run.Output).RootElement;
        Assert.That(listed.GetProperty("vhost").GetString(), Is.EqualTo(_broker.Vhost.Name));
        Assert.That(listed.GetProperty("total").GetInt64(), Is.EqualTo(1));
        var queues = listed.GetProperty("queues").EnumerateArray()
            .ToDictionary(q => q.GetProperty("name").GetString()!, q => (q.GetProperty("messages").GetInt64(), q.GetProperty("replays_to").GetString()));
        Assert.That(queues["send-email_error"], Is.EqualTo((1L, "send-email")));
        Assert.That(queues["send-sms_skipped"], Is.EqualTo((0L, "send-sms")));
        Assert.That(queues[DeadLetters.Queue], Is.EqualTo((0L, (string?)null)), "replays to each message's x-death queue");
    }

    [Test]
    public async Task Should_list_the_messages_as_json_on_request_with_no_personal_data()
    {
        await _broker.DeclareAsync("send-email_error");
        var first = await _broker.PublishFaultedAsync("send-email_error");
        var second = await _broker.PublishFaultedAsync("send-email_error", $"SMTP 450 for <{DeadLetterBroker.Email}> (cf {DeadLetterBroker.FiscalCode})");

        var run = await _broker.RunAsync("list", "--queue", "send-email_error", "-o", "json", "--limit", "1");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        var listed = JsonDocument.Parse(run.Output).RootElement;
        Assert.That((listed.GetProperty("queue").GetString(), listed.GetProperty("count").GetInt32(), listed.GetProperty("shown").GetInt32(),
            listed.GetProperty("replays_to").GetString()), Is.EqualTo(("send-email_error", 2, 1, "send-email")));
        var message = listed.GetProperty("messages").EnumerateArray().Single();
        Assert.That(message.GetProperty("message_id").GetString(), Is.EqualTo(first.MessageId));
        Assert.That(message.GetProperty("notice_id").GetString(), Is.EqualTo(first.NoticeId));
        Assert.That(message.GetProperty("type").GetString(), Is.EqualTo("SendEmail"));
        Assert.That(message.GetProperty("deliveries").GetInt64(), Is.EqualTo(1));
        Assert.That(message.GetProperty("reason").GetString(), Does.Contain("SMTP connection: Connection refused"));
        Assert.That(DateTimeOffset.UtcNow - message.GetProperty("dead_lettered_at").GetDateTimeOffset(),
            Is.EqualTo(TimeSpan.FromMinutes(5)).Within(TimeSpan.FromMinutes(1)), "the fault's time, as 'age' shows it");

        var all = await _broker.RunAsync("list", "--queue", "send-email_error", "--output", "json");
        Assert.That(all.Output, Does.Contain(second.MessageId).And.Contain("<email>").And.Contain("<codice-fiscale>"));
        AssertNoPersonalData(all.Output);
    }

    [Test]
    public async Task Should_refuse_an_unknown_output_format_as_a_usage_error()
    {
        var run = await _broker.RunAsync("list", "--output", "yaml");

        Assert.That(run.ExitCode, Is.EqualTo(2), run.Output);
        Assert.That(run.Output, Does.Contain("yaml"));
    }

    [Test]
    public async Task Should_name_the_dead_letter_queues_that_exist_when_the_queue_is_not_found()
    {
        await _broker.DeclareAsync("send-email_error");

        var run = await _broker.RunAsync("list", "--queue", "send-emial_error");

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Output, Does.Contain("'send-emial_error' not found").And.Contain("send-email_error").And.Contain(DeadLetters.Queue));
    }

    [Test]
    public async Task Should_say_how_to_connect_when_the_broker_is_unreachable()
    {
        var run = await _broker.RunAsync("list", "--queue", "send-email_error", "--port", "1");

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Output, Does.Contain("Cannot connect to RabbitMQ").And.Contain("NOTIFICHE_RABBITMQ_PORT"));
        Assert.That(run.Output, Does.Not.Contain($":{Notifiche.Testing.TestEnvironment.RabbitMqPassword}@"), "never the password");
    }

    public static void AssertNoPersonalData(string output)
    {
        Assert.That(output, Does.Not.Contain(DeadLetterBroker.Email));
        Assert.That(output, Does.Not.Contain(DeadLetterBroker.FiscalCode));
        Assert.That(output, Does.Not.Contain(DeadLetterBroker.Phone));
        Assert.That(output, Does.Not.Contain(DeadLetterBroker.Subject));
        Assert.That(output, Does.Not.Contain("Mario Rossi"));
    }
}
