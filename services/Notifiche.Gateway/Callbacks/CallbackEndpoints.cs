using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notifiche.Gateway.Data;
using Notifiche.Gateway.Governance;
using Notifiche.Gateway.Registry;

namespace Notifiche.Gateway.Callbacks;

public sealed record CallbackRequest(string? Url, string? Secret);

/// <summary>The registered callback; the secret is never returned.</summary>
public sealed record CallbackResponse(string Url, DateTimeOffset UpdatedAt);

/// <summary>A service registers, shows and removes its own status callback (with its API key).</summary>
public static class CallbackEndpoints
{
    public const int MinSecretLength = 32;
    public const int MaxSecretLength = 256;
    public const int MaxUrlLength = 2048;

    public static void MapCallbacks(this IEndpointRouteBuilder app)
    {
        var callback = app.MapGroup("/api/v1/callback").RequireAuthorization(KeySchemes.Service).WithTags("Status callbacks")
            .AddEndpointFilter(HttpSubmissionFilters.SourceAddressAsync);
        callback.MapPut("/", Put).Produces<CallbackResponse>().ProducesValidationProblem()
            .WithSummary("Registers (or replaces) the HTTPS URL the platform POSTs every status change of your notices to, "
                + $"signed with HMAC-SHA256 of the body under your secret ({MinSecretLength}-{MaxSecretLength} characters).");
        callback.MapGet("/", Get).Produces<CallbackResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The registered callback URL (never the secret).");
        callback.MapDelete("/", Delete).Produces(StatusCodes.Status204NoContent)
            .WithSummary("Stops status callbacks.");
    }

    private static async Task<IResult> Put(CallbackRequest request, HttpContext http, GatewayDbContext db, IOptions<CallbackOptions> options,
        CallbackAddresses addresses, CallbackDirectory directory, TimeProvider clock)
    {
        var errors = new Dictionary<string, string[]>();
        var allowHttp = options.Value.AllowHttp;
        if (request.Url is not { Length: <= MaxUrlLength } || !Uri.TryCreate(request.Url, UriKind.Absolute, out var url)
            || !(url.Scheme == Uri.UriSchemeHttps || allowHttp && url.Scheme == Uri.UriSchemeHttp) || url.UserInfo.Length > 0)
        {
            errors["url"] = [$"must be an absolute https:// URL without credentials, at most {MaxUrlLength} characters"];
        }
        else if (!addresses.IsAllowed(url))
        {
            errors["url"] = ["must point at a public address: loopback, private, shared, link-local and reserved addresses are not "
                + "reachable from the platform (an operator can allow a network: Gateway:Callbacks:AllowedNetworks)"];
        }

        if (request.Secret is not { Length: >= MinSecretLength and <= MaxSecretLength })
        {
            errors["secret"] = [$"must be {MinSecretLength} to {MaxSecretLength} characters"];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The callback is not valid");
        }

        var service = http.CallingService();
        var ct = http.RequestAborted;
        var stored = await db.StatusCallbacks.FirstOrDefaultAsync(c => c.ServiceId == service.Id, ct);
        if (stored is null)
        {
            stored = new StatusCallback { ServiceId = service.Id, Url = request.Url!, Secret = request.Secret! };
            db.StatusCallbacks.Add(stored);
        }

        stored.Url = request.Url!;
        stored.Secret = request.Secret!;
        stored.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        directory.Changed();
        return Results.Ok(new CallbackResponse(stored.Url, stored.UpdatedAt));
    }

    private static async Task<IResult> Get(HttpContext http, GatewayDbContext db)
    {
        var service = http.CallingService();
        var stored = await db.StatusCallbacks.AsNoTracking().FirstOrDefaultAsync(c => c.ServiceId == service.Id, http.RequestAborted);
        return stored is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No callback", detail: "Your service has no status callback registered.")
            : Results.Ok(new CallbackResponse(stored.Url, stored.UpdatedAt));
    }

    private static async Task<IResult> Delete(HttpContext http, GatewayDbContext db, CallbackDirectory directory)
    {
        var service = http.CallingService();
        await db.StatusCallbacks.Where(c => c.ServiceId == service.Id).ExecuteDeleteAsync(http.RequestAborted);
        directory.Changed();
        return Results.NoContent();
    }
}
