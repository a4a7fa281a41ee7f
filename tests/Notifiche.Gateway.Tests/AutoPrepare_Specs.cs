using Npgsql;
using Notifiche.Persistence;

namespace Notifiche.Gateway.Tests;

/// <summary>Issue 15: the services prepare their repeated statements unless their connection string says otherwise.</summary>
public class Preparing_statements_automatically
{
    [Test]
    public void Should_turn_automatic_preparation_on_when_the_connection_string_does_not_mention_it()
    {
        var settings = new NpgsqlConnectionStringBuilder(DatabaseRegistration.WithAutoPrepare("Host=db;Database=notifiche_gateway;Username=u"));

        Assert.That(settings.MaxAutoPrepare, Is.EqualTo(32));
        Assert.That(settings.AutoPrepareMinUsages, Is.EqualTo(2));
        Assert.That(settings.Host, Is.EqualTo("db"));
        Assert.That(settings.Database, Is.EqualTo("notifiche_gateway"));
    }

    [TestCase("Host=db;Max Auto Prepare=0", 0)]
    [TestCase("Host=db;MaxAutoPrepare=5", 5)]
    [TestCase("Host=db;max auto prepare=64", 64)]
    public void Should_keep_what_the_connection_string_sets_even_off(string connectionString, int expected)
    {
        Assert.That(new NpgsqlConnectionStringBuilder(DatabaseRegistration.WithAutoPrepare(connectionString)).MaxAutoPrepare, Is.EqualTo(expected));
    }
}
