using System.CommandLine;
using System.Diagnostics;
using Notifiche.Client;

namespace Notifiche.Cli;

/// <summary><c>notifiche campaign send|status|cancel</c>: progress on standard error, the report on standard output.</summary>
public static class CampaignVerbs
{
    public static Command Command(TextWriter output, TextWriter error, bool progressOnTerminal)
    {
        var campaign = new Command("campaign", "Send one template to the citizens of a CSV or JSON lines file (up to 100,000 rows).");

        var file = new Argument<FileInfo>("file") { Description = "CSV (header codice_fiscale then every placeholder; ; or ,) or JSON lines (.jsonl, .ndjson)" };
        var template = new Option<Guid>("--template") { Description = "The id of your template to send", Required = true };
        var format = new Option<string?>("--format") { Description = "csv or jsonl (default: from the file's extension; csv otherwise)" };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var noWait = new Option<bool>("--no-wait") { Description = "Print the campaign's id and what the upload found, then exit (6) without waiting" };
        var timeout = new Option<TimeSpan?>("--timeout") { Description = "Stop waiting after this long (e.g. 01:00:00); the campaign goes on (exit 6)" };
        var send = new Command("send", $"""
            Uploads the file with a progress bar (standard error), waits while the campaign runs, then prints its report (standard output):
            rows accepted, rejected (by line and reason), admitted, refused; notices sent and failed.
            {CliCommands.ExitCodeHelp}
            """) { file, template, format, noWait, timeout };
        send.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new CliException($"no such file: {path.FullName}", ExitCodes.Usage);
            }

            var client = CliCommands.Client(parse);
            var kind = (parse.GetValue(format) ?? (path.Extension.ToLowerInvariant() is ".jsonl" or ".ndjson" ? "jsonl" : "csv")) == "jsonl"
                ? CampaignFileFormat.JsonLines : CampaignFileFormat.Csv;
            var progress = new ProgressBar(error, progressOnTerminal);
            Campaign started;
            await using (var stream = new UploadStream(path.OpenRead(), read => progress.Show("uploading", read, path.Length, "bytes")))
            {
                started = await client.StartCampaignAsync(parse.GetValue(template), stream, kind, ct);
            }

            progress.Done($"uploaded: {started.Rows.Accepted} rows accepted, {started.Rows.Rejected} rejected; campaign {started.Id}");
            if (parse.GetValue(noWait))
            {
                Report.Write(output, started);
                return ExitCodes.StillRunning;
            }

            var final = await WaitAsync(client, started, progress, parse.GetValue(timeout), ct);
            Report.Write(output, final);
            return Report.ExitCode(final);
        });

        var id = new Argument<Guid>("campaign-id") { Description = "The campaign's id (printed by 'campaign send')" };
        var status = new Command("status", $"Prints a campaign's report; exits as 'send' would now.\n{CliCommands.ExitCodeHelp}") { id };
        status.SetAction(async (parse, ct) =>
        {
            var found = await CliCommands.Client(parse).GetCampaignAsync(parse.GetValue(id), ct) ?? throw NotFound(parse.GetValue(id));
            Report.Write(output, found);
            return Report.ExitCode(found);
        });

        var cancel = new Command("cancel", "Cancels a campaign: the rows not yet on their way are dropped; prints the report (exit 5).") { id };
        cancel.SetAction(async (parse, ct) =>
        {
            var cancelled = await CliCommands.Client(parse).CancelCampaignAsync(parse.GetValue(id), ct) ?? throw NotFound(parse.GetValue(id));
            Report.Write(output, cancelled);
            return Report.ExitCode(cancelled);
        });

        campaign.Subcommands.Add(send);
        campaign.Subcommands.Add(status);
        campaign.Subcommands.Add(cancel);
        return campaign;
    }

    private static CliException NotFound(Guid id) => new($"your service has no campaign {id}", ExitCodes.Refused);

    private static async Task<Campaign> WaitAsync(NotificheClient client, Campaign campaign, ProgressBar progress, TimeSpan? timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (campaign.IsRunning && (timeout is null || clock.Elapsed < timeout))
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            campaign = await client.GetCampaignAsync(campaign.Id, CancellationToken.None) ?? campaign;
            var rows = campaign.Rows;
            progress.Show("sending", rows.Admitted + rows.Refused + rows.Cancelled, rows.Accepted,
                $"rows (sent {campaign.Notices.Sent}, failed {campaign.Notices.Failed})");
        }

        progress.Done($"campaign {campaign.Status}");
        return campaign;
    }
}

/// <summary>The final report, and the exit code it stands for.</summary>
public static class Report
{
    public static void Write(TextWriter output, Campaign c)
    {
        output.WriteLine($"Campaign {c.Id}: {c.Status}{(c.Test ? " (test key: delivery simulated)" : string.Empty)}");
        output.WriteLine($"Rows: {c.Rows.Total} in the file, {c.Rows.Accepted} accepted, {c.Rows.Rejected} rejected; "
            + $"{c.Rows.Admitted} admitted, {c.Rows.Refused} refused, {c.Rows.Cancelled} cancelled, {c.Rows.Pending} pending");
        output.WriteLine($"Notices: {c.Notices.Routed} routed, {c.Notices.Sent} sent, {c.Notices.Failed} failed, "
            + $"{c.Notices.SmsBudgetExhausted} without SMS (monthly SMS budget spent)");
        List("Rejected rows", c.Rejections, c.Rows.Rejected);
        List("Refused rows", c.Refusals, c.Rows.Refused);

        void List(string title, IReadOnlyList<CampaignRowProblem> rows, long count)
        {
            if (rows.Count == 0)
            {
                return;
            }

            output.WriteLine($"{title}{(count > rows.Count ? $" (the first {rows.Count} of {count})" : string.Empty)}:");
            foreach (var row in rows)
            {
                output.WriteLine($"  row {row.Row}: {row.Reason}");
            }
        }
    }

    public static int ExitCode(Campaign c) => c.Status switch
    {
        "CANCELLED" => ExitCodes.Cancelled,
        "COMPLETED" when c.Rows.Rejected == 0 && c.Rows.Refused == 0 && c.Notices.Failed == 0 && c.Notices.Sent == c.Rows.Admitted => ExitCodes.Ok,
        "COMPLETED" => ExitCodes.CompletedWithProblems,
        _ => ExitCodes.StillRunning,
    };
}

/// <summary>A bar on standard error: redrawn in place on a terminal, a line every few seconds otherwise (a log).</summary>
public sealed class ProgressBar(TextWriter error, bool terminal)
{
    private const int Width = 30;
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private bool _drawn;
    private int _lines;

    public void Show(string what, long done, long total, string unit)
    {
        if (!terminal && _lines > 0 && _sinceLine.Elapsed < TimeSpan.FromSeconds(5))
        {
            return;
        }

        _lines++;

        var share = total <= 0 ? 1 : Math.Clamp((double)done / total, 0, 1);
        var filled = (int)(share * Width);
        var line = $"{what} [{new string('#', filled)}{new string('-', Width - filled)}] {share:P0} {done}/{total} {unit}";
        error.Write(terminal ? $"\r{line,-100}" : line + Environment.NewLine);
        _drawn = terminal;
        _sinceLine.Restart();
    }

    public void Done(string message)
    {
        error.WriteLine(_drawn ? $"\r{message,-100}" : message);
        _drawn = false;
    }
}

/// <summary>The file being uploaded, reporting how much of it was read (a seekable stream: a retried upload starts over).</summary>
public sealed class UploadStream(FileStream inner, Action<long> read) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Reported(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Reported(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Reported(int count)
    {
        read(inner.Position);
        return count;
    }
}
