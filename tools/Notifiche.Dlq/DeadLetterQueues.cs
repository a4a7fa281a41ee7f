using Notifiche.Messaging;

namespace Notifiche.Dlq;

/// <summary>
/// Which queues hold dead letters and where their messages came from: MassTransit moves faulted messages of
/// <c>X</c> to <c>X_error</c> and messages of unknown type to <c>X_skipped</c>; the broker moves messages past the
/// quorum delivery limit to <see cref="DeadLetters.Queue"/>, naming the source queue in their <c>x-death</c> header.
/// </summary>
public static class DeadLetterQueues
{
    public const string ErrorSuffix = "_error";
    public const string SkippedSuffix = "_skipped";

    public static bool IsDeadLetterQueue(string queue) =>
        queue == DeadLetters.Queue || SourceOf(queue) is not null;

    /// <summary>The queue a MassTransit dead-letter queue's messages came from, or null when the name has no such suffix.</summary>
    public static string? SourceOf(string queue)
    {
        foreach (var suffix in (string[])[ErrorSuffix, SkippedSuffix])
        {
            if (queue.Length > suffix.Length && queue.EndsWith(suffix, StringComparison.Ordinal))
            {
                return queue[..^suffix.Length];
            }
        }

        return null;
    }

    /// <summary>
    /// Where a replayed message goes: <c>X</c> for <c>X_error</c>/<c>X_skipped</c>; for the broker's dead-letter queue the
    /// queue of the first <c>x-death</c> entry — and, when that is itself <c>X_error</c> (an error queue inherits the endpoint's
    /// delivery limit, and every inspection is a delivery), <c>X</c>, because the fault headers are stripped on replay anyway.
    /// </summary>
    public static string? ReplayTarget(string queue, DeadLetter message)
    {
        if (queue != DeadLetters.Queue)
        {
            return SourceOf(queue);
        }

        return message.DeathQueue is { } died ? SourceOf(died) ?? died : null;
    }
}
