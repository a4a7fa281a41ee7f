using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Notifiche.Contracts;
using Notifiche.Dispatch.Ledger;
using Notifiche.Testing;
using Npgsql;

namespace Notifiche.EndToEnd.Tests;

/// <summary>One dispatcher seen from outside: the outcomes its bus publishes, and its ledger's rows.</summary>
public sealed class DispatchProbe : IPublishObserver, IDisposable
{
    private readonly ConnectHandle _handle;

    public DispatchProbe(string service, PostgresTestDatabase ledger)
    {
        Service = service;
        Ledger = ledger;
        Bus = Platform.Hosts.Services(service).GetRequiredService<IBus>();
        _handle = Bus.ConnectPublishObserver(this);
    }

    public string Service { get; }

    public PostgresTestDatabase Ledger { get; }

    /// <summary>The dispatcher's own bus: publishing a command on it is a delivery as the gateway's would be.</summary>
    public IBus Bus { get; }

    public ConcurrentQueue<NotificationSent> Sent { get; } = new();

    public ConcurrentQueue<NotificationFailed> Failed { get; } = new();

    public record Row(string Channel, string AddressKey, string State, string? ProviderMessageId, string? Reason);

    public async Task<IReadOnlyList<Row>> RowsAsync(Guid noticeId)
    {
        await using var connection = new NpgsqlConnection(Ledger.ConnectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand(
            "SELECT channel, address_key, state, provider_message_id, reason FROM dispatches WHERE notice_id = @id", connection);
        select.Parameters.AddWithValue("id", noticeId);
        await using var reader = await select.ExecuteReaderAsync();
        var rows = new List<Row>();
        while (await reader.ReadAsync())
        {
            rows.Add(new Row(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return rows;
    }

    /// <summary>Writes a record as an earlier attempt would have left it.</summary>
    public static async Task InsertAsync(PostgresTestDatabase ledger, Guid noticeId, string channel, string address, string state,
        string? providerMessageId = null)
    {
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO dispatches (notice_id, channel, address_key, state, provider_message_id, address_rejected, claimed_at)
            VALUES (@id, @channel, @key, @state, @provider, false, now() - interval '1 minute')
            """, connection);
        insert.Parameters.AddWithValue("id", noticeId);
        insert.Parameters.AddWithValue("channel", channel);
        insert.Parameters.AddWithValue("key", DispatchLedger.AddressKeyOf(TestDispatchLedger.AddressKey, channel, address));
        insert.Parameters.AddWithValue("state", state);
        insert.Parameters.AddWithValue("provider", (object?)providerMessageId ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync();
    }

    public Task PrePublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class
    {
        switch (context.Message)
        {
            case NotificationSent sent:
                Sent.Enqueue(sent);
                break;
            case NotificationFailed failed:
                Failed.Enqueue(failed);
                break;
        }

        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;

    public void Dispose() => _handle.Disconnect();
}
