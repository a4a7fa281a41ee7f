using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Preferences.Data;

namespace Notifiche.Preferences.Telegram;

/// <summary>
/// Linking a profile to a Telegram chat without ever asking the citizen for a chat id: a one-time token for a codice
/// fiscale (random, short-lived, stored as its SHA-256), which the bot receives back as <c>/start &lt;token&gt;</c> from the
/// citizen's own chat.
/// </summary>
public sealed class TelegramLinks(PreferencesDbContext db, IOptions<TelegramLinkOptions> options, TimeProvider clock)
{
    /// <summary>Telegram's deep-link parameter: up to 64 of A–Z, a–z, 0–9, _ and -. 24 random bytes are 32 of them.</summary>
    public const int TokenBytes = 24;

    public sealed record Link(Uri Url, DateTimeOffset ExpiresAt);

    /// <summary>A new token for a stored profile (the expired tokens of every profile go at the same time).</summary>
    public async Task<Link> IssueAsync(string fiscalCode, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Plain SQL: SQLite (the embedded default) cannot translate a DateTimeOffset comparison; its UTC timestamps compare as text.
        await db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM telegram_link_tokens WHERE expires_at < {now}", ct);
        var token = Base64Url(RandomNumberGenerator.GetBytes(TokenBytes));
        var expiresAt = now + options.Value.LinkTokenLifetime;
        db.TelegramLinkTokens.Add(new TelegramLinkToken { TokenHash = Hash(token), FiscalCode = fiscalCode, ExpiresAt = expiresAt });
        await db.SaveChangesAsync(ct);
        return new Link(new Uri($"https://t.me/{options.Value.BotUsername}?start={token}"), expiresAt);
    }

    /// <summary>
    /// Uses <paramref name="token"/> once: its profile gets <paramref name="chatId"/>. Null when the token is unknown,
    /// expired or already used (deleting it is what uses it: of two concurrent uses only one deletes the row), or its
    /// profile was erased; nothing is linked then.
    /// </summary>
    public async Task<Profile?> RedeemAsync(string token, long chatId, CancellationToken ct)
    {
        var hash = Hash(token);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var link = await db.TelegramLinkTokens.FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (link is null)
        {
            return null;
        }

        db.TelegramLinkTokens.Remove(link);
        var profile = link.ExpiresAt < clock.GetUtcNow()
            ? null
            : await db.Profiles.FirstOrDefaultAsync(p => p.FiscalCode == link.FiscalCode, ct);
        if (profile is not null)
        {
            profile.TelegramChatId = chatId;
        }

        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return null; // another request used the token first
        }

        return profile;
    }

    /// <summary>Unlinks <paramref name="chatId"/> from every profile that holds it; the number of profiles unlinked.</summary>
    public Task<int> UnlinkChatAsync(long chatId, CancellationToken ct) =>
        db.Profiles.Where(p => p.TelegramChatId == chatId).ExecuteUpdateAsync(s => s.SetProperty(p => p.TelegramChatId, (long?)null), ct);

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
