using System.CommandLine;
using Notifiche.Messaging;

namespace Notifiche.Dlq;

/// <summary>The command line: verbs, options, help texts, exit codes.</summary>
public static class DlqCommands
{
    private static readonly string Environment = $"""
        Connection: --host, --port, --vhost, --user, --password, --management-port, or the environment variables
          {BrokerSettings.HostVariable}, {BrokerSettings.PortVariable}, {BrokerSettings.VirtualHostVariable}, {BrokerSettings.UserVariable},
          {BrokerSettings.PasswordVariable}, {BrokerSettings.ManagementPortVariable} (defaults: localhost, 5672, /, guest, guest, 15672).
        TLS: --tls, --tls-server-name, --tls-ca ({BrokerSettings.TlsVariable}, {BrokerSettings.TlsServerNameVariable}, {BrokerSettings.TlsCaVariable});
          the management API follows them (HTTPS, the same CA) unless --management-tls true|false and --management-tls-ca
          ({BrokerSettings.ManagementTlsVariable}, {BrokerSettings.ManagementTlsCaVariable}) say otherwise.
        Exit codes: 0 done, 1 error (broker unreachable, queue or message not found, a replay failed), 2 wrong command line.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = Build(output, error);
        var parse = root.Parse(args);
        if (parse.CommandResult.Command != root && LongDescriptions.TryGetValue(parse.CommandResult.Command.Name, out var details))
        {
            // The root's help lists each verb in one line; a verb's own help says everything.
            parse.CommandResult.Command.Description = details;
        }

        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                error.WriteLine(problem.Message);
            }

            error.WriteLine($"Run '{string.Join(' ', parse.CommandResult.Command == root ? ["notifiche-dlq"] : ["notifiche-dlq", parse.CommandResult.Command.Name])} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (DlqException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("Interrupted.");
            return ExitCodes.Error;
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or System.IO.IOException)
        {
            error.WriteLine($"error: the broker connection failed ({e.GetType().Name}: {e.Message}). Nothing is lost: unsettled messages stay "
                + "in their dead-letter queue. Check the broker, then run the command again.");
            return ExitCodes.Error;
        }
    }

    private static readonly Dictionary<string, string> LongDescriptions = new()
    {
        ["list"] = $"""
            Without --queue: every dead-letter queue of the vhost with its message count (needs the management API).
            With --queue: the messages of that queue — position, message id, message type, notice id, age, deliveries,
            reason (fault message, MT-Reason or x-death; addresses, phone numbers and codici fiscali masked; cut at
            {Redaction.ReasonLength} characters). Never the message body. Messages are read and returned to the queue; on quorum
            queues each read counts as one delivery against the queue's x-delivery-limit.

            --output json prints the same as one JSON document (for scripts and monitoring): the queues with their counts,
            or the queue's messages with their dead-lettering time in ISO 8601.

            Examples:
              notifiche-dlq list
              notifiche-dlq list --queue send-email_error
              notifiche-dlq list --output json

            {Environment}
            """,
        ["show"] = $"""
            One message: message type, notice id, reason, when it was dead-lettered, where a replay sends it, the envelope's
            metadata (ids, sent time, addresses of the endpoints), AMQP properties, and the headers — fault details shown,
            the value of any header that could carry personal data hidden. The body only with --include-body.

            Example:
              notifiche-dlq show --queue send-email_error --message-id 0b1c0000-...

            {Environment}
            """,
        ["replay"] = $"""
            Moves dead letters back to the queue they came from, so the service processes them again (fix the cause first):
            from <queue>{DeadLetterQueues.ErrorSuffix} and <queue>{DeadLetterQueues.SkippedSuffix} to <queue>; from {DeadLetters.Queue} to the queue named in the
            first x-death entry. The message keeps its body, properties and headers, minus MT-Fault-*, MT-Reason and x-death
            (it starts afresh); it is published persistent through the default exchange with publisher confirms.

            Safety: a message is removed from the dead-letter queue only after the broker confirmed the replayed copy. If the
            tool or the connection dies in between, the message is in both queues: a crash mid-replay duplicates, it never
            loses (the dispatchers' idempotency absorbs the duplicate). Messages not selected, and messages that fail, stay
            in the dead-letter queue. The tool makes one pass over the messages present when it starts; large replays print
            a progress line every --progress-every messages (default {ReplayVerb.DefaultProgressEvery}) or every second, and a summary (replayed / skipped / failed) at the end.

            Examples:
              notifiche-dlq replay --queue send-email_error --dry-run --all
              notifiche-dlq replay --queue send-email_error --message-id 0b1c0000-... --message-id 0b1c0000-...
              notifiche-dlq replay --queue {DeadLetters.Queue} --all

            {Environment}
            """,
    };

    private static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand($"""
            notifiche-dlq: inspect and replay Notifiche's dead letters (DESIGN §7).
            Dead-letter queues: <queue>{DeadLetterQueues.ErrorSuffix} (retries exhausted; MT-Fault-* headers say why), <queue>{DeadLetterQueues.SkippedSuffix}
            (no consumer for the message type) and {DeadLetters.Queue} (the broker gave up after {QueueArguments.DeliveryLimit} deliveries; the
            x-death header names the source queue). No personal data is printed unless 'show --include-body' is asked for.

            {Environment}
            """);
        foreach (var option in BrokerSettings.Options)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(ListCommand(output));
        root.Subcommands.Add(ShowCommand(output, error));
        root.Subcommands.Add(ReplayCommand(output));
        return root;
    }

    private static Option<string> QueueOption(bool required) => new("--queue", "-q")
    {
        Description = $"A dead-letter queue: <queue>{DeadLetterQueues.ErrorSuffix}, <queue>{DeadLetterQueues.SkippedSuffix} or {DeadLetters.Queue}",
        Required = required,
    };

    private static Command ListCommand(TextWriter output)
    {
        var queue = QueueOption(required: false);
        var limit = new Option<int>("--limit")
        {
            Description = "With --queue: at most this many messages", DefaultValueFactory = _ => 100,
        };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--limit must be at least 1.");
            }
        });
        var format = new Option<string>("--output", "-o")
        {
            Description = "table (default) or json", DefaultValueFactory = _ => ListVerb.Table,
        };
        format.AcceptOnlyFromAmong(ListVerb.Table, ListVerb.Json);
        var command = new Command("list", "Dead-letter queues with their counts; with --queue, their messages (ids, type, notice, age, reason)")
        {
            queue, limit, format,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var settings = BrokerSettings.From(parse);
            var json = parse.GetValue(format) == ListVerb.Json;
            return parse.GetValue(queue) is { } name
                ? ListVerb.MessagesAsync(settings, name, parse.GetValue(limit), json, output, cancellationToken)
                : ListVerb.QueuesAsync(settings, json, output, cancellationToken);
        });
        return command;
    }

    private static Command ShowCommand(TextWriter output, TextWriter error)
    {
        var queue = QueueOption(required: true);
        var messageId = new Option<string>("--message-id", "-m") { Description = "The message id, as 'list --queue' prints it", Required = true };
        var includeBody = new Option<bool>("--include-body")
        {
            Description = "Also print the message body. It contains personal data (codice fiscale, addresses, the notice's content): "
                + "ask for it only when you must, and never paste it into tickets or chats",
        };
        var command = new Command("show", "One message's metadata and safe headers; the body only with --include-body")
        {
            queue, messageId, includeBody,
        };
        command.SetAction((parse, cancellationToken) => ShowVerb.RunAsync(BrokerSettings.From(parse), parse.GetValue(queue)!,
            parse.GetValue(messageId)!, parse.GetValue(includeBody), output, error, cancellationToken));
        return command;
    }

    private static Command ReplayCommand(TextWriter output)
    {
        var queue = QueueOption(required: true);
        var messageIds = new Option<string[]>("--message-id", "-m")
        {
            Description = "Replay this message (repeatable: --message-id A --message-id B)", AllowMultipleArgumentsPerToken = true,
        };
        var all = new Option<bool>("--all") { Description = "Replay every message of the queue" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would be replayed where, and change nothing" };
        var progressEvery = new Option<int>("--progress-every")
        {
            Description = "Print a progress line every this many messages (and at least every second)",
            DefaultValueFactory = _ => ReplayVerb.DefaultProgressEvery,
        };
        progressEvery.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--progress-every must be at least 1.");
            }
        });
        var command = new Command("replay", "Move selected (--message-id) or all (--all) dead letters back to their source queue; --dry-run changes nothing")
        {
            queue, messageIds, all, dryRun, progressEvery,
        };
        command.Validators.Add(result =>
        {
            var ids = result.GetValue(messageIds) ?? [];
            var everything = result.GetValue(all);
            if (everything == ids.Length > 0)
            {
                result.AddError("Say which messages to replay: --message-id <id> (repeatable) or --all, not both.");
            }
        });
        command.SetAction((parse, cancellationToken) => ReplayVerb.RunAsync(BrokerSettings.From(parse), parse.GetValue(queue)!,
            new ReplayVerb.Selection(parse.GetValue(all), (parse.GetValue(messageIds) ?? []).ToHashSet(StringComparer.Ordinal)),
            parse.GetValue(dryRun), parse.GetValue(progressEvery), output, cancellationToken));
        return command;
    }
}
