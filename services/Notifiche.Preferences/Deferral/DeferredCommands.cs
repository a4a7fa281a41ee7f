using System.Text.Json;
using Notifiche.Contracts;

namespace Notifiche.Preferences.Deferral;

/// <summary>Serialises the dispatch commands quiet hours may hold back into <see cref="Data.DeferredDispatch"/> rows and back.</summary>
public static class DeferredCommands
{
    private static readonly Dictionary<string, Type> Types = new[] { typeof(SendSms), typeof(SendPush), typeof(SendTelegram) }
        .ToDictionary(t => t.FullName!, t => t);

    /// <summary>Email is never deferred: it waits in the citizen's mailbox, not on their phone.</summary>
    public static bool Defers(string channel) => channel is Channels.Sms or Channels.Push or Channels.Telegram;

    public static (string MessageType, string Payload) Write(object command)
    {
        var type = command.GetType();
        if (!Types.ContainsKey(type.FullName!))
        {
            throw new ArgumentException($"{type.Name} is not a command quiet hours defer");
        }

        return (type.FullName!, JsonSerializer.Serialize(command, type));
    }

    public static (object Message, Type Type) Read(Data.DeferredDispatch row)
    {
        var type = Types.GetValueOrDefault(row.MessageType)
            ?? throw new InvalidOperationException($"deferred dispatch {row.Id} has unknown message type {row.MessageType}");
        return (JsonSerializer.Deserialize(row.Payload, type)!, type);
    }
}
