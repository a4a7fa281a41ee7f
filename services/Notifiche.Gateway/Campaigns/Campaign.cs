namespace Notifiche.Gateway.Campaigns;

/// <summary>
/// A campaign (issue 18 point 6): one template sent to the citizens of an uploaded file, each row becoming an ordinary
/// notice. Holds the counts of the upload; the rest of its progress is read from its rows and notices
/// (<see cref="CampaignProgress"/>). The template is kept as it was at upload (<see cref="TemplateSnapshot"/>), so every row
/// is rendered from the version it was validated against, whatever happens to the template meanwhile.
/// </summary>
public class Campaign
{
    public Guid Id { get; set; }
    public required string ServiceId { get; set; }
    public Guid TemplateId { get; set; }
    public int TemplateVersion { get; set; }
    /// <summary>The template's contents at upload, as JSON (<see cref="CampaignTemplates"/>).</summary>
    public required string TemplateSnapshot { get; set; }
    /// <summary>Uploaded with a test key: its notices are test notices (simulated, never delivered).</summary>
    public bool Test { get; set; }
    /// <summary><c>csv</c> or <c>jsonl</c>.</summary>
    public required string Format { get; set; }
    /// <summary>Data rows in the file (header excluded).</summary>
    public int RowsTotal { get; set; }
    public int RowsAccepted { get; set; }
    public int RowsRejected { get; set; }
    /// <summary>Rows the pacing released to the admission queue (<see cref="CampaignAdmitter"/>).</summary>
    public int RowsReleased { get; set; }
    /// <summary>Released rows whose admission is recorded (a notice or a refusal): the difference is in the admission queue.</summary>
    public int RowsRecorded { get; set; }
    /// <summary>Rows dropped, not yet released, by a cancel.</summary>
    public int RowsCancelled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
}

/// <summary>
/// A valid row waiting to become a notice: personal data (codice fiscale, placeholder values), deleted as soon as the row
/// is admitted or the campaign cancelled. Relayed by <see cref="CampaignAdmitter"/>; <see cref="NotBefore"/> is
/// <see cref="CampaignRows.Unreleased"/> until the admitter's pacing releases the row.
/// </summary>
public class CampaignRow : Persistence.IDueRow
{
    public long Id { get; set; }
    public Guid CampaignId { get; set; }
    /// <summary>The row's number in the file (CSV: the header is row 1; JSON lines: the line).</summary>
    public int RowNumber { get; set; }
    public required string FiscalCode { get; set; }
    /// <summary>The placeholder values, as a JSON object.</summary>
    public required string Personalisation { get; set; }
    public bool Released { get; set; }
    public DateTimeOffset NotBefore { get; set; }
}

/// <summary>A row refused at upload: its number and why (field names and rules, never the values).</summary>
public class CampaignRejection
{
    public Guid CampaignId { get; set; }
    public int RowNumber { get; set; }
    public required string Reason { get; set; }
}

/// <summary>
/// What became of an admitted row: its notice, or the admission's refusal (e.g. <c>DAILY_QUOTA_REACHED</c>). No personal
/// data. <see cref="Settled"/> once the notice is past routing and dispatch queues (the pacing counts the others as in flight).
/// </summary>
public class CampaignNotice
{
    public Guid CampaignId { get; set; }
    public int RowNumber { get; set; }
    public Guid? NoticeId { get; set; }
    public string? Refusal { get; set; }
    public bool Settled { get; set; }
}

public static class CampaignRows
{
    /// <summary>The <c>not_before</c> of a row not released yet: never due for the relay.</summary>
    public static readonly DateTimeOffset Unreleased = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);
}
