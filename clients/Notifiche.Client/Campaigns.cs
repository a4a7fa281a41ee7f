using System.Net.Http.Headers;

namespace Notifiche.Client;

/// <summary>The file of a campaign: CSV (header <c>codice_fiscale</c> then the template's placeholders) or JSON lines.</summary>
public enum CampaignFileFormat
{
    Csv,
    JsonLines,
}

/// <summary>A campaign's progress (<c>GET /api/v1/campaigns/{id}</c>); <see cref="Status"/> is RUNNING, COMPLETED or CANCELLED.</summary>
public sealed record Campaign(
    Guid Id, string Status, Guid TemplateId, int TemplateVersion, bool Test, DateTimeOffset CreatedAt, DateTimeOffset? CancelledAt,
    CampaignRows Rows, CampaignNotices Notices, IReadOnlyList<CampaignRowProblem> Rejections, IReadOnlyList<CampaignRowProblem> Refusals)
{
    public bool IsRunning => Status == "RUNNING";
}

/// <summary>The file's data rows: valid (accepted) or not (rejected); accepted ones pending, admitted as notices, refused by the service's policy, or cancelled.</summary>
public sealed record CampaignRows(int Total, int Accepted, int Rejected, long Pending, long Admitted, long Refused, long Cancelled);

/// <summary>The admitted notices: routed, sent on at least one channel, failed, sent without SMS because the monthly SMS budget was spent.</summary>
public sealed record CampaignNotices(long Routed, long Sent, long Failed, long SmsBudgetExhausted);

/// <summary>A row by its line in the file (CSV: the header is line 1) and why it was rejected or refused.</summary>
public sealed record CampaignRowProblem(int Row, string Reason);

public sealed partial class NotificheClient
{
    /// <summary>
    /// Starts a campaign: sends <paramref name="file"/> as it is (streamed; a seekable stream, such as a file, is sent again
    /// when a 429 or 503 is retried) with <paramref name="templateId"/>. Answers once the platform stored it.
    /// </summary>
    /// <exception cref="NotificheApiException">The file was refused as a whole (400 naming <c>file</c>, <c>header</c> or <c>template_id</c>; 413; 415): nothing was stored.</exception>
    public async Task<Campaign> StartCampaignAsync(Guid templateId, Stream file, CampaignFileFormat format, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/v1/campaigns?template_id={templateId}", UriKind.Relative))
        {
            Content = new StreamContent(file),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(format == CampaignFileFormat.Csv ? "text/csv" : "application/x-ndjson");
        using var response = (await _api.SendAsync(request, notFoundIsNull: false, ct))!;
        return await ApiCalls.ReadAsync<Campaign>(response, ct);
    }

    /// <summary>A campaign's progress; null when your service has no campaign with this id.</summary>
    public Task<Campaign?> GetCampaignAsync(Guid id, CancellationToken ct = default) =>
        _api.GetAsync<Campaign>($"api/v1/campaigns/{id}", ct, notFoundIsNull: true);

    /// <summary>Cancels a campaign (rows not yet released are dropped); null when your service has no campaign with this id.</summary>
    public Task<Campaign?> CancelCampaignAsync(Guid id, CancellationToken ct = default) =>
        _api.CallAsync<Campaign>(HttpMethod.Post, $"api/v1/campaigns/{id}/cancel", ct, notFoundIsNull: true);
}
