using Notifiche.Messaging;

namespace Notifiche.Deploy.Tests;

public class The_runbook
{
    private static readonly string Runbook = Repository.Read("docs", "runbook.md");

    [Test]
    public void Should_explain_every_queue_the_services_consume()
    {
        var queues = NotificheService.All.SelectMany(s => s.ConsumedQueues).Append(DeadLetters.Queue).ToList();

        Assert.That(queues, Has.Count.GreaterThanOrEqualTo(12), "the consumers were found by reflection");
        Assert.That(queues.Where(q => !Runbook.Contains($"`{q}`", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void Should_name_the_gateway_fault_queues_as_masstransit_does()
    {
        Assert.That(NotificheService.Named("Notifiche.Gateway").ConsumedQueues,
            Is.SupersetOf(new[] { "send-email-fault", "send-sms-fault", "send-push-fault" }));
    }

    [Test]
    public void Should_name_only_configuration_keys_that_exist()
    {
        var gateway = NotificheService.Named("Notifiche.Gateway").Configuration;

        Assert.Multiple(() =>
        {
            foreach (var key in new[] { "Gateway:OperatorKey", "Gateway:Outbox:StuckAfter" })
            {
                Assert.That(Runbook, Does.Contain($"`{key}`"));
                Assert.That(gateway.Contains(key), Is.True, key);
            }
        });
    }
}
