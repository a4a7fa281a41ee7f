using Notifiche.Testing;

namespace Notifiche.Dlq.Tests;

public class Showing_a_dead_letter
{
    private DeadLetterBroker _broker = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _broker = await DeadLetterBroker.StartAsync("dlq-show");
        await _broker.DeclareAsync("send-email_error");
    }

    [TearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    public async Task Should_show_the_metadata_and_fault_headers_but_not_the_body_or_personal_headers()
    {
        await _broker.PublishFaultedAsync("send-email_error");
        var message = await _broker.PublishFaultedAsync("send-email_error");

        var run = await _broker.RunAsync("show", "--queue", "send-email_error", "--message-id", message.MessageId);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("urn:message:Notifiche.Contracts:SendEmail"));
        Assert.That(run.Output, Does.Contain(message.NoticeId));
        Assert.That(run.Output, Does.Match(@"(?m)replays to:\s+send-email\r?$"));
        Assert.That(run.Output, Does.Contain("MT-Fault-ExceptionType:").And.Contain("TransientFailureException"));
        Assert.That(run.Output, Does.Contain("at Notifiche.Dispatch.Email.SendEmailConsumer.Consume"));
        Assert.That(run.Output, Does.Contain("X-Citizen:").And.Contain("(value hidden"));
        Assert.That(run.Output, Does.Contain("Body not shown"));
        Listing_dead_letters.AssertNoPersonalData(run.Output);
        // Returning the messages is asynchronous on a quorum queue (a Raft command), hence the wait.
        await Eventually.Until(() => _broker.CountAsync("send-email_error"), n => n == 2, TimeSpan.FromSeconds(10), "the messages back in place");
    }

    [Test]
    public async Task Should_print_the_body_only_when_asked_with_a_warning()
    {
        var message = await _broker.PublishFaultedAsync("send-email_error");

        var run = await _broker.RunAsync("show", "--queue", "send-email_error", "--message-id", message.MessageId, "--include-body");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("WARNING: the body below contains personal data"));
        Assert.That(run.Output, Does.Contain(DeadLetterBroker.FiscalCode));
    }

    [Test]
    public async Task Should_escape_control_and_bidirectional_characters_a_producer_put_in_what_it_prints()
    {
        // Escape sequences that would clear the SRE's terminal and fake a line, a carriage return that overwrites one,
        // a right-to-left override that reverses what follows.
        const string hostile = "SMTP \u001B[2J\u001B[1;1Hfake OK\r\u202Eredaeh\u0007\u009B31m";
        var message = await _broker.PublishFaultedAsync("send-email_error", faultMessage: hostile,
            extraHeaders: new() { ["MT-Host-ProcessName"] = "dispatch\u001B]0;title\u0007", ["x-first-death-reason"] = "rejected\r\u2066" });

        var run = await _broker.RunAsync("show", "--queue", "send-email_error", "--message-id", message.MessageId, "--include-body");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        var printed = run.Output.Replace("\r\n", "\n", StringComparison.Ordinal);
        var unsafeCharacters = printed.Where(c => c != '\n' && char.IsControl(c) || c is '\u202E' or '\u2066').Select(c => $"U+{(int)c:X4}").ToList();
        Assert.That(unsafeCharacters, Is.Empty, "control or bidirectional characters printed as they are");
        Assert.That(printed, Does.Contain("\\u001B[2J").And.Contain("\\u202Eredaeh").And.Contain("dispatch\\u001B]0;title\\u0007"));
    }

    [Test]
    public async Task Should_fail_with_a_hint_when_the_message_is_not_there()
    {
        await _broker.PublishFaultedAsync("send-email_error");

        var run = await _broker.RunAsync("show", "--queue", "send-email_error", "--message-id", Guid.NewGuid().ToString());

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Output, Does.Contain("No message with id").And.Contain("list --queue send-email_error"));
    }
}
