using Notifiche.Contracts;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Deferral;
using Notifiche.Validation;

namespace Notifiche.Preferences.Profiles;

public static class ProfileValidator
{
    public const int MaxPushTokens = 10;
    public const int MaxTokenLength = 4096;
    public const int MaxBlockedServices = 500;

    /// <summary>Validates and normalises a profile; errors are keyed by the JSON field a client sent.</summary>
    public static (Profile? Profile, Dictionary<string, string[]> Errors) Validate(string fiscalCodeInput, ProfileRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (FiscalCode.Validate(fiscalCodeInput, out var fiscalCode) is { } problem)
        {
            errors["fiscal_code"] = [problem];
        }

        var email = request.Email?.Trim();
        if (!string.IsNullOrEmpty(email) && !EmailAddresses.IsValid(email))
        {
            errors["email"] = ["is not a valid email address"];
        }

        var phone = string.Empty;
        if (!string.IsNullOrWhiteSpace(request.Phone) && MobileNumbers.Normalize(request.Phone, out phone) is { } phoneProblem)
        {
            errors["phone"] = [phoneProblem];
        }

        var language = request.Language?.Trim().ToLowerInvariant() ?? Languages.Italian;
        if (!Languages.All.Contains(language))
        {
            errors["language"] = [$"must be one of {string.Join(", ", Languages.All)}"];
        }

        var tokens = request.PushTokens ?? [];
        if (tokens.Count > MaxPushTokens)
        {
            errors["push_tokens"] = [$"at most {MaxPushTokens} devices"];
        }
        else if (tokens.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > MaxTokenLength || t.Any(char.IsWhiteSpace)))
        {
            errors["push_tokens"] = [$"each token must be non-empty, without spaces, at most {MaxTokenLength} characters"];
        }

        var blocked = ServiceIds(request.BlockedServices, "blocked_services", errors);
        var readReceipts = ServiceIds(request.ReadReceiptServices, "read_receipt_services", errors);

        TimeOnly? quietFrom = null, quietTo = null;
        if (request.QuietHours is { } quiet)
        {
            const string rule = "must be a time of day written HH:mm (24-hour, e.g. 21:00)";
            if (QuietHours.TryParseTime(quiet.From, out var from))
            {
                quietFrom = from;
            }
            else
            {
                errors["quiet_hours.from"] = [rule];
            }

            if (QuietHours.TryParseTime(quiet.To, out var to))
            {
                quietTo = to;
            }
            else
            {
                errors["quiet_hours.to"] = [rule];
            }
        }

        var timeZone = request.TimeZone?.Trim();
        if (timeZone is not null && QuietHours.Zone(timeZone) is null)
        {
            errors["time_zone"] = ["must be an IANA time zone, e.g. Europe/Rome"];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var channels = request.Channels ?? new ChannelSwitches();
        return (new Profile
        {
            FiscalCode = fiscalCode,
            Email = string.IsNullOrEmpty(email) ? null : email,
            EmailVerified = !string.IsNullOrEmpty(email) && request.EmailVerified,
            Phone = string.IsNullOrEmpty(phone) ? null : phone,
            PushTokens = [.. tokens.Distinct()],
            Language = language,
            EmailEnabled = channels.Email,
            SmsEnabled = channels.Sms,
            PushEnabled = channels.Push,
            TelegramEnabled = channels.Telegram,
            BlockedServices = blocked,
            ReadReceiptServices = readReceipts,
            QuietHoursFrom = quietFrom,
            QuietHoursTo = quietTo,
            TimeZone = timeZone is null ? null : QuietHours.Zone(timeZone)!.Id,
            ContentOnlyInInbox = request.ContentOnlyInInbox,
        }, errors);
    }

    /// <summary>A list of service ids the citizen chose (blocked, or allowed read receipts): checked, trimmed, each once.</summary>
    private static List<string> ServiceIds(List<string>? given, string field, Dictionary<string, string[]> errors)
    {
        var ids = given ?? [];
        if (ids.Count > MaxBlockedServices || ids.Any(string.IsNullOrWhiteSpace))
        {
            errors[field] = [$"at most {MaxBlockedServices} non-empty service ids"];
            return [];
        }

        return [.. ids.Select(id => id.Trim()).Distinct()];
    }
}
