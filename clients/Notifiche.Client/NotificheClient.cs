using System.Net;

namespace Notifiche.Client;

/// <summary>
/// A PA service's client: submits notices, reads their status and audit trail, and manages the service's status
/// callback. Built by <see cref="NotificheClientRegistration.AddNotificheClient"/> (dependency injection) or
/// <see cref="Create"/>. Thread-safe; make one and keep it.
/// </summary>
public sealed partial class NotificheClient
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private readonly ApiCalls _api;

    /// <summary>For dependency injection: <paramref name="http"/> carries the address, the key and the retry handler.</summary>
    public NotificheClient(HttpClient http) => _api = new ApiCalls(http);

    /// <summary>A client without dependency injection; <paramref name="transport"/> replaces the default socket handler (a proxy, a test stub).</summary>
    public static NotificheClient Create(NotificheClientOptions options, HttpMessageHandler? transport = null) =>
        new(NotificheClientRegistration.CreateHttpClient(options, transport));

    /// <summary>
    /// Submits a notice. Every call carries an <c>Idempotency-Key</c> — <paramref name="idempotencyKey"/>, or a new UUID —
    /// and its retries carry the same one, so a notice is accepted once however often the call is retried; pass the key
    /// of an earlier call (<see cref="SubmittedNotice.IdempotencyKey"/>) to retry it later, within 24 hours.
    /// </summary>
    /// <exception cref="NotificheApiException">The notice was refused: 400 (<see cref="NotificheApiException.Errors"/> names the fields), 403, 409, 429…</exception>
    public async Task<SubmittedNotice> SubmitNoticeAsync(NewNotice notice, string? idempotencyKey = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var key = idempotencyKey ?? Guid.NewGuid().ToString();
        using var request = ApiCalls.Request(HttpMethod.Post, "api/v1/notices", notice);
        request.Headers.Add(IdempotencyKeyHeader, key);
        using var response = (await _api.SendAsync(request, notFoundIsNull: false, ct))!;
        var created = await ApiCalls.ReadAsync<Created>(response, ct);
        return new SubmittedNotice(created.Id, response.StatusCode == HttpStatusCode.OK, key);
    }

    /// <summary>The notice's status per channel; null when your service sent no notice with this id.</summary>
    public Task<NoticeStatus?> GetNoticeAsync(Guid id, CancellationToken ct = default) =>
        _api.GetAsync<NoticeStatus>($"api/v1/notices/{id}", ct, notFoundIsNull: true);

    /// <summary>
    /// Resolves a notice (the tax was paid): cancels its due-date reminders still pending, and the notice itself while it is
    /// scheduled (<see cref="NewNotice.SendAt"/> ahead); those become CANCELLED. Returns the notice's status with
    /// <see cref="NoticeStatus.ResolvedAt"/>; resolving again changes nothing (safe to retry). Null when your service sent no
    /// notice with this id (a reminder's own id is not a notice to resolve).
    /// </summary>
    public Task<NoticeStatus?> ResolveNoticeAsync(Guid id, CancellationToken ct = default) =>
        _api.CallAsync<NoticeStatus>(HttpMethod.Post, $"api/v1/notices/{id}/resolve", ct, notFoundIsNull: true);

    /// <summary>One page of your service's notices, newest first: pass <see cref="NoticePage.NextCursor"/> back in <see cref="NoticeQuery.Cursor"/> for the next.</summary>
    /// <exception cref="NotificheApiException">400 naming the filter that is not valid.</exception>
    public async Task<NoticePage> ListNoticesAsync(NoticeQuery? query = null, CancellationToken ct = default)
    {
        query ??= new NoticeQuery();
        var parameters = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parameters.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        Add("reference", query.Reference);
        Add("status", query.Status);
        Add("from", query.From?.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Add("to", query.To?.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Add("page_size", query.PageSize?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("cursor", query.Cursor);
        var path = "api/v1/notices" + (parameters.Count == 0 ? string.Empty : "?" + string.Join('&', parameters));
        return (await _api.GetAsync<NoticePage>(path, ct))!;
    }

    /// <summary>The notice's audit trail, oldest first; null when your service sent no notice with this id.</summary>
    public Task<NoticeEvents?> GetNoticeEventsAsync(Guid id, CancellationToken ct = default) =>
        _api.GetAsync<NoticeEvents>($"api/v1/notices/{id}/events", ct, notFoundIsNull: true);

    /// <summary>
    /// Registers (or replaces) the HTTPS URL the platform POSTs every status change to, signed with
    /// <paramref name="secret"/> (32-256 characters; check the signature with <see cref="CallbackSignature"/>).
    /// </summary>
    public Task<CallbackRegistration> SetCallbackAsync(Uri url, string secret, CancellationToken ct = default) =>
        _api.SendAsync<CallbackRegistration>(HttpMethod.Put, "api/v1/callback", new { Url = url.ToString(), Secret = secret }, ct);

    /// <summary>The registered callback (never its secret); null when none is.</summary>
    public Task<CallbackRegistration?> GetCallbackAsync(CancellationToken ct = default) =>
        _api.GetAsync<CallbackRegistration>("api/v1/callback", ct, notFoundIsNull: true);

    /// <summary>Stops status callbacks.</summary>
    public Task DeleteCallbackAsync(CancellationToken ct = default) => _api.SendAsync(HttpMethod.Delete, "api/v1/callback", ct);

    /// <summary>Registers a template; its id goes in <see cref="NewNotice.FromTemplate"/>.</summary>
    /// <exception cref="NotificheApiException">400 naming the field (e.g. <c>languages.it</c>, <c>languages.de.markdown</c>).</exception>
    public Task<Template> CreateTemplateAsync(NewTemplate template, CancellationToken ct = default) =>
        _api.SendAsync<Template>(HttpMethod.Post, "api/v1/templates", template, ct);

    /// <summary>Your service's templates, newest first.</summary>
    public async Task<IReadOnlyList<Template>> ListTemplatesAsync(CancellationToken ct = default) =>
        (await _api.GetAsync<TemplateList>("api/v1/templates", ct))!.Items;

    /// <summary>One of your templates; null when your service has none with this id.</summary>
    public Task<Template?> GetTemplateAsync(Guid id, CancellationToken ct = default) =>
        _api.GetAsync<Template>($"api/v1/templates/{id}", ct, notFoundIsNull: true);

    /// <summary>Replaces a template (its version goes up by one); notices already accepted keep their content.</summary>
    public Task<Template> UpdateTemplateAsync(Guid id, NewTemplate template, CancellationToken ct = default) =>
        _api.SendAsync<Template>(HttpMethod.Put, $"api/v1/templates/{id}", template, ct);

    /// <summary>Deletes a template; false when your service had none with this id.</summary>
    public Task<bool> DeleteTemplateAsync(Guid id, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Delete, $"api/v1/templates/{id}", ct, notFoundIsFalse: true);

    /// <summary>Renders a template with sample values in <paramref name="language"/> (default <c>it</c>); stores nothing.</summary>
    /// <exception cref="NotificheApiException">400 naming each missing placeholder (<c>personalisation.&lt;name&gt;</c>) or the language.</exception>
    public Task<TemplatePreview> PreviewTemplateAsync(Guid id, IReadOnlyDictionary<string, string> personalisation, string? language = null,
        CancellationToken ct = default) =>
        _api.SendAsync<TemplatePreview>(HttpMethod.Post, $"api/v1/templates/{id}/preview", new { Personalisation = personalisation, Language = language }, ct);

    private sealed record Created(Guid Id);

    private sealed record TemplateList(IReadOnlyList<Template> Items);
}
