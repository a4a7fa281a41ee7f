namespace Notifiche.Contracts;

/// <summary>Languages a citizen can choose for the platform's fixed texts (the notice itself is in the service's words).</summary>
public static class Languages
{
    public const string Italian = "it";
    public const string English = "en";
    public const string German = "de";

    public static readonly IReadOnlyList<string> All = [Italian, English, German];
}
