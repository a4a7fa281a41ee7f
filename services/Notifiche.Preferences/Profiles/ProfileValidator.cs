using Notifiche.Contracts;
using Notifiche.Preferences.Data;
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

        var blocked = request.BlockedServices ?? [];
        if (blocked.Count > MaxBlockedServices || blocked.Any(string.IsNullOrWhiteSpace))
        {
            errors["blocked_services"] = [$"at most {MaxBlockedServices} non-empty service ids"];
        }

        var readReceipts = request.ReadReceiptServices ?? [];
        if (readReceipts.Count > MaxBlockedServices || readReceipts.Any(string.IsNullOrWhiteSpace))
        {
            errors["read_receipt_services"] = [$"at most {MaxBlockedServices} non-empty service ids"];
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
            BlockedServices = [.. blocked.Select(b => b.Trim()).Distinct()],
            ReadReceiptServices = [.. readReceipts.Select(r => r.Trim()).Distinct()],
        }, errors);
    }
}
