namespace Notifiche.Gateway.Registry;

/// <summary>A service's API keys: issue (shown once), list (never the secret), revoke (immediate).</summary>
public static class KeyEndpoints
{
    public static void MapKeys(this RouteGroupBuilder admin)
    {
        admin.MapPost("/services/{id}/keys", IssueKey)
            .Produces<IssuedKeyView>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary($"Issues another key (optional expires_at; type live, the default, or test); at most {ServiceRegistry.MaxActiveKeys} "
                + "active keys of each type per service. The key is shown only once. A test key's notices go through validation, status, audit "
                + "and callbacks like live ones but are never delivered: their outcome is simulated (README, test keys).");
        admin.MapGet("/services/{id}/keys", async (string id, ServiceRegistry registry, TimeProvider clock, CancellationToken ct) =>
            await registry.ExistsAsync(id, ct)
                ? Results.Ok((await registry.KeysAsync(id, ct)).Select(k => KeyView.From(k, clock.GetUtcNow())))
                : AdminEndpoints.ServiceNotFound(id))
            .Produces<KeyView[]>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The service's keys: id, status, created, expires, revoked.");
        admin.MapPost("/services/{id}/keys/{keyId:guid}/revoke", async (string id, Guid keyId, ServiceRegistry registry, TimeProvider clock,
            CancellationToken ct) =>
            await registry.RevokeKeyAsync(id, keyId, ct) is { } key
                ? Results.Ok(KeyView.From(key, clock.GetUtcNow()))
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Key not found",
                    detail: $"Service '{id}' has no key {keyId}; list its keys with GET /api/v1/admin/services/{id}/keys."))
            .Produces<KeyView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Revokes a key: the next request with it gets 401.");
    }

    private static async Task<IResult> IssueKey(string id, IssueKeyRequest? request, ServiceRegistry registry, TimeProvider clock,
        CancellationToken ct)
    {
        if (!await registry.ExistsAsync(id, ct))
        {
            return AdminEndpoints.ServiceNotFound(id);
        }

        var errors = new Dictionary<string, string[]>();
        if (request?.ExpiresAt is { } expiresAt && expiresAt <= clock.GetUtcNow())
        {
            errors["expires_at"] = ["must be in the future"];
        }

        var type = request?.Type ?? KeyTypes.Live;
        if (!KeyTypes.All.Contains(type))
        {
            errors["type"] = [$"must be one of: {string.Join(", ", KeyTypes.All)}"];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var key = await registry.IssueKeyAsync(id, request?.ExpiresAt?.ToUniversalTime(), ct, type);
        return key is null
            ? Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many active keys",
                detail: $"Service '{id}' already has {ServiceRegistry.MaxActiveKeys} active {type} keys. Revoke the one being replaced first "
                    + $"('notifiche-admin keys revoke {id} <key-id>'), then issue the new one.")
            : Results.Created($"/api/v1/admin/services/{id}/keys/{key.KeyId}", new IssuedKeyView(key.KeyId, key.Secret, key.ExpiresAt) { Type = key.Type });
    }
}
