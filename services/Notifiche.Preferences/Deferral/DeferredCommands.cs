using System.Text.Json;
using Notifiche.Contracts;

namespace Notifiche.Preferences.Deferral;

/// <summary>Serialises the dispatch commands quiet hours may hold back into <see cref="Data.DeferredDispatch"/> rows and back.</summary>
public static class DeferredCommands
{
    private static readonly Dictionary<string, Type> Types = new[] { typeof(SendSms), typeof(SendPush), typeof(SendTelegram), typeof(NotificationFailed) }
        .ToDictionary(t => t.FullName!, t => t);

    /// <summary>The failure a withdrawn row becomes; the reason the channel's status shows.</summary>
    public const string ErasedReason = "The citizen's profile was erased while this dispatch waited for the end of quiet hours.";

    /// <summary>Email is never deferred: it waits in the citizen's mailbox, not on their phone.</summary>
    public static bool Defers(string channel) => channel is Channels.Sms or Channels.Push or Channels.Telegram;

    public static (string MessageType, string Payload) Write(object command)
    {
        var type = command.GetType();
        if (!Types.ContainsKey(type.FullName!) || type == typeof(NotificationFailed))
        {
            throw new ArgumentException($"{type.Name} is not a command quiet hours defer");
        }

        return (type.FullName!, JsonSerializer.Serialize(command, type));
    }

    /// <summary>
    /// The citizen's profile is erased: the row's command — and the address or tokens it holds — is replaced at once by
    /// the channel's permanent failure, due now, so that the relay tells the gateway (the channel becomes FAILED instead
    /// of waiting for ever) and nothing reaches the citizen's old number, device or chat.
    /// </summary>
    public static void Withdraw(Data.DeferredDispatch row, DateTimeOffset now)
    {
        row.MessageType = typeof(NotificationFailed).FullName!;
        row.Payload = JsonSerializer.Serialize(new NotificationFailed
        {
            NoticeId = row.NoticeId, Channel = row.Channel, Permanent = true, Reason = ErasedReason, FailedAt = now,
        });
        row.NotBefore = now;
        row.FiscalCode = null;
    }

    public static (object Message, Type Type) Read(Data.DeferredDispatch row)
    {
        var type = Types.GetValueOrDefault(row.MessageType)
            ?? throw new InvalidOperationException($"deferred dispatch {row.Id} has unknown message type {row.MessageType}");
        return (JsonSerializer.Deserialize(row.Payload, type)!, type);
    }
}
