using Notifiche.Messaging;
using Notifiche.Testing;

namespace Notifiche.Dlq.Tests;

public class Replaying_dead_letters
{
    private DeadLetterBroker _broker = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _broker = await DeadLetterBroker.StartAsync("dlq-replay");
        await _broker.DeclareAsync("send-email");
        await _broker.DeclareAsync("send-email_error");
    }

    [TearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    public async Task Should_move_exactly_the_selected_message_back_to_its_queue_without_the_fault_headers()
    {
        var first = await _broker.PublishFaultedAsync("send-email_error");
        var chosen = await _broker.PublishFaultedAsync("send-email_error");
        var third = await _broker.PublishFaultedAsync("send-email_error");

        var run = await _broker.RunAsync("replay", "--queue", "send-email_error", "--message-id", chosen.MessageId);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("1 replayed, 2 skipped").And.Contain("0 failed"));
        var replayed = await _broker.DrainAsync("send-email");
        Assert.That(replayed.Select(m => m.BasicProperties.MessageId), Is.EqualTo(new[] { chosen.MessageId }));
        var message = replayed[0];
        Assert.That(message.Body.ToArray(), Is.EqualTo(chosen.Body), "the body travels unchanged");
        Assert.That(message.BasicProperties.Headers!.Keys.Where(k => k.StartsWith("MT-Fault-") || k == "MT-Reason" || k.StartsWith("x-death")), Is.Empty);
        Assert.That(message.Header("MT-Host-MachineName"), Is.EqualTo("dispatch-email-0"), "other headers are kept");
        Assert.That(message.Header("Notifiche-Replayed-From"), Is.EqualTo("send-email_error"));
        Assert.That(message.BasicProperties.ContentType, Is.EqualTo("application/vnd.masstransit+json"));
        Assert.That(message.BasicProperties.Persistent, Is.True);
        var left = await _broker.DrainAsync("send-email_error");
        Assert.That(left.Select(m => m.BasicProperties.MessageId), Is.EquivalentTo(new[] { first.MessageId, third.MessageId }));
    }

    [Test]
    public async Task Should_replay_every_message_with_all()
    {
        var seeded = new List<SeededMessage>();
        for (var i = 0; i < 25; i++)
        {
            seeded.Add(await _broker.PublishFaultedAsync("send-email_error"));
        }

        var run = await _broker.RunAsync("replay", "--queue", "send-email_error", "--all", "--progress-every", "10");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("25 replayed, 0 skipped").And.Contain("0 failed"));
        Assert.That(run.Output, Does.Contain("progress: 10/25 examined, 10 replayed").And.Contain("progress: 20/25 examined, 20 replayed"));
        Assert.That((await _broker.DrainAsync("send-email")).Select(m => m.BasicProperties.MessageId), Is.EquivalentTo(seeded.Select(s => s.MessageId)));
        Assert.That(await _broker.CountAsync("send-email_error"), Is.Zero);
        Listing_dead_letters.AssertNoPersonalData(run.Output);
    }

    [Test]
    public async Task Should_change_nothing_on_a_dry_run()
    {
        var first = await _broker.PublishFaultedAsync("send-email_error");
        var second = await _broker.PublishFaultedAsync("send-email_error");

        var run = await _broker.RunAsync("replay", "--queue", "send-email_error", "--all", "--dry-run");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain($"{first.MessageId}").And.Contain("would be replayed to send-email"));
        Assert.That(run.Output, Does.Contain("nothing changed: 2 would be replayed"));
        Assert.That(await _broker.CountAsync("send-email"), Is.Zero);
        var left = await _broker.DrainAsync("send-email_error");
        Assert.That(left.Select(m => m.BasicProperties.MessageId), Is.EquivalentTo(new[] { first.MessageId, second.MessageId }));
        Assert.That(left.Select(m => m.Header("MT-Fault-Message")), Has.All.Not.Null, "the dead letters are untouched");
    }

    [Test]
    public async Task Should_replay_the_brokers_dead_letters_to_the_queue_named_in_x_death()
    {
        var queue = $"poison-{Guid.NewGuid():N}";
        var seeded = await _broker.DeadLetterThroughTheBrokerAsync(queue);

        var list = await _broker.RunAsync("list", "--queue", DeadLetters.Queue);
        Assert.That(list.Output.Split('\n').Single(l => l.Contains(seeded.MessageId)), Does.Contain($"delivery_limit from {queue}").And.Contain(seeded.NoticeId));
        Listing_dead_letters.AssertNoPersonalData(list.Output);

        var run = await _broker.RunAsync("replay", "--queue", DeadLetters.Queue, "--message-id", seeded.MessageId);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain($"replayed to {queue}"));
        var replayed = await _broker.DrainAsync(queue);
        Assert.That(replayed.Select(m => m.BasicProperties.MessageId), Is.EqualTo(new[] { seeded.MessageId }));
        var headers = replayed[0].BasicProperties.Headers ?? new Dictionary<string, object?>();
        Assert.That(headers.Keys, Has.None.StartWith("x-death").And.None.StartWith("x-first-death").And.None.StartWith("x-last-death"));
        Assert.That(replayed[0].Header("x-delivery-count"), Is.Null.Or.EqualTo("0"), "a fresh message, delivered once");
        Assert.That(await _broker.CountAsync(DeadLetters.Queue), Is.Zero);
    }

    [Test]
    public async Task Should_leave_the_message_in_place_when_its_source_queue_is_gone()
    {
        await _broker.DeclareAsync("send-push_error");
        var message = await _broker.PublishFaultedAsync("send-push_error");

        var run = await _broker.RunAsync("replay", "--queue", "send-push_error", "--all");

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Output, Does.Contain("queue 'send-push' does not exist").And.Contain("1 failed"));
        Assert.That((await _broker.DrainAsync("send-push_error")).Select(m => m.BasicProperties.MessageId), Is.EqualTo(new[] { message.MessageId }));
    }

    [Test]
    public async Task Should_report_ids_it_did_not_find()
    {
        await _broker.PublishFaultedAsync("send-email_error");
        var missing = Guid.NewGuid().ToString();

        var run = await _broker.RunAsync("replay", "--queue", "send-email_error", "--message-id", missing);

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Output, Does.Contain($"Not found in send-email_error: {missing}"));
        // The tool's channel is closed, but the broker requeues what it held a moment later.
        await Eventually.Until(() => _broker.CountAsync("send-email_error"), n => n == 1, TimeSpan.FromSeconds(10), "the message left in place");
    }

    [TestCase("replay", "--queue", "send-email_error")]
    [TestCase("replay", "--queue", "send-email_error", "--all", "--message-id", "x")]
    [TestCase("replay", "--all")]
    [TestCase("show", "--queue", "send-email_error")]
    [TestCase("purge")]
    public async Task Should_exit_2_on_a_wrong_command_line(params string[] args)
    {
        var run = await _broker.RunAsync(args);

        Assert.That(run.ExitCode, Is.EqualTo(2), run.Output);
        Assert.That(run.Output, Does.Contain("--help"));
    }

    [Test]
    public async Task Should_refuse_to_replay_from_a_queue_that_is_not_a_dead_letter_queue()
    {
        var run = await _broker.RunAsync("replay", "--queue", "send-email", "--all");

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Output, Does.Contain("'send-email' is not a dead-letter queue"));
    }
}
