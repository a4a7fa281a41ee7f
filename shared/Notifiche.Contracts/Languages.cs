namespace Notifiche.Contracts;

/// <summary>
/// Languages a citizen can choose: for the platform's fixed texts (Italian where a text has no translation) and for a
/// notice sent from a template that has this language (<see cref="ContentVariant"/>). The languages of Italy's bilingual
/// regions (German, French, Slovenian) beside Italian and English.
/// </summary>
public static class Languages
{
    public const string Italian = "it";
    public const string English = "en";
    public const string German = "de";
    public const string French = "fr";
    public const string Slovenian = "sl";

    public static readonly IReadOnlyList<string> All = [Italian, English, German, French, Slovenian];
}
