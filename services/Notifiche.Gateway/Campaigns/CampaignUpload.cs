using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Notices;
using Notifiche.Gateway.Registry;
using Notifiche.Gateway.Templates;
using Npgsql;
using NpgsqlTypes;

namespace Notifiche.Gateway.Campaigns;

/// <summary>
/// Stores an uploaded campaign in one transaction while the file streams in: the campaign, each valid row (validated as a
/// notice from the template would be: codice fiscale, every placeholder, lengths once rendered) and each rejected row's
/// number and reason. PostgreSQL takes the valid rows by one binary COPY as they are read; SQLite (the standalone) in
/// batches. A file-level problem anywhere — not UTF-8, no header, too many rows, a broken line — rolls everything back:
/// nothing is stored. Only the rejections (a number and a short reason each, at most one per row) are held until the end.
/// </summary>
public sealed class CampaignUpload(GatewayDbContext db, CampaignSignal signal, TimeProvider clock)
{
    public sealed record Stored(Campaign? Campaign, string? Field = null, string? Problem = null);

    public async Task<Stored> StoreAsync(ServiceRecord service, Template template, bool test, Stream body, string format, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var campaign = new Campaign
        {
            Id = Guid.CreateVersion7(now), ServiceId = service.Id, TemplateId = template.Id, TemplateVersion = template.Version,
            TemplateSnapshot = CampaignTemplates.Snapshot(template), Test = test, Format = format, CreatedAt = now,
        };
        var placeholders = TemplateValidator.PlaceholdersOf(template.Contents.Select(c => (c.Subject, c.Markdown))).ToHashSet(StringComparer.Ordinal);
        var rejections = new List<CampaignRejection>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync(ct);
        try
        {
            await using (var rows = db.Database.IsNpgsql() ? (IRowSink)new CopySink(db, ct) : new BatchSink(db, ct))
            {
                await foreach (var row in CampaignFile.ReadAsync(body, format, placeholders, ct))
                {
                    campaign.RowsTotal++;
                    if (Validate(row, template, now) is { } valid)
                    {
                        campaign.RowsAccepted++;
                        await rows.AddAsync(new CampaignRow
                        {
                            CampaignId = campaign.Id, RowNumber = row.Number, FiscalCode = valid.FiscalCode,
                            Personalisation = JsonSerializer.Serialize(valid.Personalisation), NotBefore = CampaignRows.Unreleased,
                        });
                    }
                    else
                    {
                        campaign.RowsRejected++;
                        rejections.Add(new CampaignRejection { CampaignId = campaign.Id, RowNumber = row.Number, Reason = Reason(row, template, now) });
                    }
                }

                await rows.CompleteAsync();
            }
        }
        catch (CampaignFileException e)
        {
            // The transaction is rolled back when disposed: nothing of the file stays.
            return new Stored(null, e.Field, e.Message);
        }

        foreach (var chunk in rejections.Chunk(1_000))
        {
            db.CampaignRejections.AddRange(chunk);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        db.Campaigns.Update(campaign);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Notify();
        return new Stored(campaign);
    }

    private static ValidNotice? Validate(CampaignFileRow row, Template template, DateTimeOffset now) =>
        row.Problem is null ? NoticeValidator.Validate(Request(row, template), now, template).Notice : null;

    private static SubmitNoticeRequest Request(CampaignFileRow row, Template template) =>
        new() { FiscalCode = row.FiscalCode, TemplateId = template.Id, Personalisation = row.Values };

    /// <summary>Why a row was refused, by the file's column names; the validator's messages name rules, never values.</summary>
    private static string Reason(CampaignFileRow row, Template template, DateTimeOffset now)
    {
        if (row.Problem is { } problem)
        {
            return problem;
        }

        var (_, errors) = NoticeValidator.Validate(Request(row, template), now, template);
        return string.Join("; ", errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{Column(e.Key)}: {string.Join(" ", e.Value)}"));
    }

    private static string Column(string field) => field switch
    {
        "fiscal_code" => CampaignFile.FiscalCodeColumn,
        _ when field.StartsWith("personalisation.", StringComparison.Ordinal) => field["personalisation.".Length..],
        _ => field,
    };

    private interface IRowSink : IAsyncDisposable
    {
        ValueTask AddAsync(CampaignRow row);

        Task CompleteAsync();
    }

    /// <summary>PostgreSQL: one binary COPY in the upload's transaction, rows written as they are read.</summary>
    private sealed class CopySink(GatewayDbContext db, CancellationToken ct) : IRowSink
    {
        private NpgsqlBinaryImporter? _importer;

        public async ValueTask AddAsync(CampaignRow row)
        {
            _importer ??= await ((NpgsqlConnection)db.Database.GetDbConnection()).BeginBinaryImportAsync(
                "COPY campaign_rows (campaign_id, row_number, fiscal_code, personalisation, released, not_before) FROM STDIN (FORMAT BINARY)", ct);
            await _importer.StartRowAsync(ct);
            await _importer.WriteAsync(row.CampaignId, NpgsqlDbType.Uuid, ct);
            await _importer.WriteAsync(row.RowNumber, NpgsqlDbType.Integer, ct);
            await _importer.WriteAsync(row.FiscalCode, NpgsqlDbType.Varchar, ct);
            await _importer.WriteAsync(row.Personalisation, NpgsqlDbType.Text, ct);
            await _importer.WriteAsync(row.Released, NpgsqlDbType.Boolean, ct);
            await _importer.WriteAsync(row.NotBefore, NpgsqlDbType.TimestampTz, ct);
        }

        public async Task CompleteAsync()
        {
            if (_importer is not null)
            {
                await _importer.CompleteAsync(ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_importer is not null)
            {
                await _importer.DisposeAsync();
            }
        }
    }

    /// <summary>SQLite: inserts of a thousand rows at a time, the change tracker emptied after each.</summary>
    private sealed class BatchSink(GatewayDbContext db, CancellationToken ct) : IRowSink
    {
        private const int Batch = 1_000;
        private int _count;

        public async ValueTask AddAsync(CampaignRow row)
        {
            db.CampaignRows.Add(row);
            if (++_count % Batch == 0)
            {
                await CompleteAsync();
            }
        }

        public async Task CompleteAsync()
        {
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>A campaign's template as it was at upload, kept with the campaign.</summary>
public static class CampaignTemplates
{
    private sealed record Content(string Language, string Subject, string Markdown);

    public static string Snapshot(Template template) =>
        JsonSerializer.Serialize(template.Contents.Select(c => new Content(c.Language, c.Subject, c.Markdown)));

    public static Template Restore(Campaign campaign) => new()
    {
        Id = campaign.TemplateId, ServiceId = campaign.ServiceId, Name = string.Empty, Version = campaign.TemplateVersion,
        Contents = [.. JsonSerializer.Deserialize<List<Content>>(campaign.TemplateSnapshot)!.Select(c => new TemplateContent
        {
            TemplateId = campaign.TemplateId, Language = c.Language, Subject = c.Subject, Markdown = c.Markdown,
        })],
    };
}

/// <summary>Wakes the <see cref="CampaignAdmitter"/> when a campaign is stored: the outbox's wake-up, a second instance.</summary>
public sealed class CampaignSignal : Outbox.OutboxSignal;
