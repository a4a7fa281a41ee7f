using PhoneNumbers;

namespace Notifiche.Validation;

/// <summary>Mobile numbers through libphonenumber: numbers without a country prefix are read as Italian.</summary>
public static class MobileNumbers
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <returns>null when valid (with <paramref name="e164"/> set), else why it is not.</returns>
    public static string? Normalize(string input, out string e164)
    {
        e164 = string.Empty;
        PhoneNumber number;
        try
        {
            number = Util.Parse(input, "IT");
        }
        catch (NumberParseException)
        {
            return "is not a phone number";
        }

        if (!Util.IsValidNumber(number))
        {
            return "is not a valid phone number";
        }

        if (Util.GetNumberType(number) is not (PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE))
        {
            return "is not a mobile number (SMS needs one)";
        }

        e164 = Util.Format(number, PhoneNumberFormat.E164);
        return null;
    }
}
