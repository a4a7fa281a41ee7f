namespace Notifiche.Contracts;

/// <summary>
/// A notice's content in one more language, rendered by the gateway from the service's template at acceptance (issue 18
/// point 5): routing sends it to a citizen whose profile has this language instead of the notice's Italian content.
/// </summary>
public record ContentVariant
{
    public required string Language { get; init; }
    public required string Subject { get; init; }
    public required string Markdown { get; init; }
}
