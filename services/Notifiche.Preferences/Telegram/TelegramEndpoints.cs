using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Profiles;
using Notifiche.Validation;

namespace Notifiche.Preferences.Telegram;

/// <summary>
/// Linking Telegram: the app backend asks for a one-time link (its key), and the bot's webhook (Telegram's secret
/// token) receives <c>/start &lt;token&gt;</c> and <c>/stop</c>. The webhook lives here because preferences owns profiles:
/// the link is one local transaction, and the bot's reply travels back as the webhook's answer, so this service holds
/// no bot token.
/// </summary>
public static class TelegramEndpoints
{
    public const string WebhookScheme = "TelegramWebhook";
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";
    public const string WebhookPath = "/api/v1/telegram/webhook";

    public sealed record LinkResponse(Uri Link, DateTimeOffset ExpiresAt);

    public static void MapTelegram(this IEndpointRouteBuilder app)
    {
        var profile = app.MapGroup("/api/v1/profiles/{fiscal_code}/telegram").RequireAuthorization(ProfileEndpoints.Scheme).WithTags("Profiles");
        profile.MapPost("/link", IssueLink).WithSummary(
            "A one-time link (https://t.me/<bot>?start=<token>) that links the citizen's Telegram chat to the profile when opened; short-lived, single use.");
        profile.MapDelete("/", Unlink).WithSummary("Unlinks the citizen's Telegram chat.");

        app.MapPost(WebhookPath, Webhook).RequireAuthorization(WebhookScheme).WithTags("Telegram").ExcludeFromDescription();
    }

    private static async Task<IResult> IssueLink([FromRoute(Name = "fiscal_code")] string fiscalCodeInput, PreferencesDbContext db, TelegramLinks links,
        IOptions<TelegramLinkOptions> options, CancellationToken ct)
    {
        if (FiscalCode.Validate(fiscalCodeInput, out var fiscalCode) is { } problem)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["fiscal_code"] = [problem] }, title: "The codice fiscale is not valid");
        }

        if (!options.Value.Enabled)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Telegram is not configured",
                detail: "This platform has no Telegram bot (Preferences:Telegram).");
        }

        if (!await db.Profiles.AnyAsync(p => p.FiscalCode == fiscalCode, ct))
        {
            return NoProfile();
        }

        var link = await links.IssueAsync(fiscalCode, ct);
        return Results.Json(new LinkResponse(link.Url, link.ExpiresAt), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> Unlink([FromRoute(Name = "fiscal_code")] string fiscalCodeInput, PreferencesDbContext db, CancellationToken ct)
    {
        FiscalCode.Validate(fiscalCodeInput, out var fiscalCode);
        var unlinked = await db.Profiles.Where(p => p.FiscalCode == fiscalCode)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.TelegramChatId, (long?)null), ct);
        return unlinked == 0 ? NoProfile() : Results.NoContent();
    }

    /// <summary>
    /// An update from Telegram. Always 200 once authenticated (anything else makes Telegram send it again), with the
    /// bot's reply as a method call in the body. Only private chats are served.
    /// </summary>
    private static async Task<IResult> Webhook(TelegramUpdate update, TelegramLinks links, CancellationToken ct)
    {
        if (update.Message is not { Text: { } text, Chat: { Type: "private" } chat } message)
        {
            return Results.Ok();
        }

        var language = message.From?.LanguageCode;
        var words = text.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var command = words.Length == 0 ? string.Empty : words[0].Split('@')[0].ToLowerInvariant();
        BotReplies.Reply reply;
        switch (command)
        {
            case "/start" when words.Length == 2:
                var linked = await links.RedeemAsync(words[1], chat.Id, ct);
                (reply, language) = linked is null ? (BotReplies.Reply.LinkNotValid, language) : (BotReplies.Reply.Linked, linked.Language);
                break;
            case "/start":
                reply = BotReplies.Reply.Welcome;
                break;
            case "/stop":
                reply = await links.UnlinkChatAsync(chat.Id, ct) > 0 ? BotReplies.Reply.Unlinked : BotReplies.Reply.NotLinked;
                break;
            default:
                reply = BotReplies.Reply.Help;
                break;
        }

        return Results.Json(TelegramReply.Send(chat.Id, BotReplies.Text(reply, language)));
    }

    private static IResult NoProfile() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No profile", detail: "No profile is stored for this codice fiscale.");
}
