using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Notifiche.Gateway.Notices;

/// <summary>
/// SHA-256 over a canonical form of the content (compact JSON, fixed key order, UTF-8, due date as ISO date)
/// so that a sender can recompute it from what it sent and prove the notice was not altered.
/// </summary>
public static class ContentHash
{
    public static string Compute(string subject, string markdown, DateOnly? dueDate)
    {
        // Sized for the common case (escaped text grows, the buffer then too): no copy of the JSON before hashing it.
        var buffer = new ArrayBufferWriter<byte>(subject.Length + markdown.Length + 64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("subject", subject);
            json.WriteString("markdown", markdown);
            if (dueDate is { } due)
            {
                json.WriteString("due_date", due.ToString("yyyy-MM-dd"));
            }

            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }
}
