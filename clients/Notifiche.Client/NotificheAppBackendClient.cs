namespace Notifiche.Client;

/// <summary>
/// The citizen app backend's client: citizens' profiles (the preferences service) and their inbox (the gateway), with
/// the app backend key. Built by <see cref="NotificheClientRegistration.AddNotificheAppBackendClient"/> or <see cref="Create"/>.
/// </summary>
public sealed class NotificheAppBackendClient
{
    private readonly ApiCalls _api;
    private readonly Uri? _profiles;

    /// <summary>
    /// For dependency injection: <paramref name="http"/> carries the gateway's address, the key and the retry handler;
    /// profiles are called at <paramref name="profilesAddress"/> when given (preferences behind its own address).
    /// </summary>
    public NotificheAppBackendClient(HttpClient http, Uri? profilesAddress = null)
    {
        _api = new ApiCalls(http);
        _profiles = profilesAddress is null ? null : NotificheClientRegistration.AsBase(profilesAddress);
    }

    public static NotificheAppBackendClient Create(NotificheAppBackendClientOptions options, HttpMessageHandler? transport = null) =>
        new(NotificheClientRegistration.CreateHttpClient(options, transport), options.ProfilesAddress);

    /// <summary>Creates or replaces the citizen's whole profile.</summary>
    /// <exception cref="NotificheApiException">400 naming the invalid fields (<c>email</c>, <c>phone</c>…), 409 on a concurrent write.</exception>
    public Task<Profile> PutProfileAsync(string fiscalCode, ProfileUpdate profile, CancellationToken ct = default) =>
        _api.SendAsync<Profile>(HttpMethod.Put, Profile(fiscalCode), profile, ct);

    /// <summary>The stored profile (the citizen's data export); null when none is stored.</summary>
    public Task<Profile?> GetProfileAsync(string fiscalCode, CancellationToken ct = default) =>
        _api.GetAsync<Profile>(Profile(fiscalCode), ct, notFoundIsNull: true);

    /// <summary>Erases the profile and its contact data; false when none was stored.</summary>
    public Task<bool> DeleteProfileAsync(string fiscalCode, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Delete, Profile(fiscalCode), ct, notFoundIsFalse: true);

    /// <summary>One page of the citizen's notices, newest first; pass <see cref="InboxPage.NextCursor"/> back for the next.</summary>
    public async Task<InboxPage> ListInboxAsync(string fiscalCode, InboxQuery? query = null, CancellationToken ct = default)
    {
        query ??= new InboxQuery();
        var parameters = new List<string>();
        if (query.Unread)
        {
            parameters.Add("unread=true");
        }

        if (query.Archived)
        {
            parameters.Add("archived=true");
        }

        if (query.PageSize is { } size)
        {
            parameters.Add($"page_size={size}");
        }

        if (query.Cursor is { } cursor)
        {
            parameters.Add($"cursor={Uri.EscapeDataString(cursor)}");
        }

        var path = Inbox(fiscalCode) + (parameters.Count == 0 ? string.Empty : "?" + string.Join('&', parameters));
        return (await _api.GetAsync<InboxPage>(path, ct))!;
    }

    /// <summary>One notice with its full content and sender; null when this citizen's inbox holds no notice with this id.</summary>
    public Task<InboxNotice?> GetInboxNoticeAsync(string fiscalCode, Guid id, CancellationToken ct = default) =>
        _api.GetAsync<InboxNotice>($"{Inbox(fiscalCode)}/{id}", ct, notFoundIsNull: true);

    /// <summary>Marks the notice read (the first time counts).</summary>
    public Task<InboxMark> MarkReadAsync(string fiscalCode, Guid id, CancellationToken ct = default) =>
        _api.SendAsync<InboxMark>(HttpMethod.Post, $"{Inbox(fiscalCode)}/{id}/read", null, ct);

    /// <summary>Moves the notice out of the default listing.</summary>
    public Task<InboxMark> ArchiveAsync(string fiscalCode, Guid id, CancellationToken ct = default) =>
        _api.SendAsync<InboxMark>(HttpMethod.Post, $"{Inbox(fiscalCode)}/{id}/archive", null, ct);

    /// <summary>Brings an archived notice back into the default listing.</summary>
    public Task<InboxMark> UnarchiveAsync(string fiscalCode, Guid id, CancellationToken ct = default) =>
        _api.SendAsync<InboxMark>(HttpMethod.Delete, $"{Inbox(fiscalCode)}/{id}/archive", null, ct);

    private static string Inbox(string fiscalCode) => $"api/v1/inbox/{Uri.EscapeDataString(fiscalCode)}/notices";

    private string Profile(string fiscalCode)
    {
        var path = $"api/v1/profiles/{Uri.EscapeDataString(fiscalCode)}";
        return _profiles is null ? path : new Uri(_profiles, path).ToString();
    }
}
