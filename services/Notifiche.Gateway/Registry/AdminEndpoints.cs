using System.Text.Json;
using Notifiche.Gateway.Census;
using Notifiche.Gateway.Ingress;
using Notifiche.ServiceDefaults;

namespace Notifiche.Gateway.Registry;

/// <summary>
/// The platform operator's API (header <c>X-Operator-Key</c>): the service registry, its keys and the census, on the
/// management port only (<c>Management:Port</c>).
/// </summary>
public static class AdminEndpoints
{
    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        // The management port only (issue 16, point 8): the public port answers 404 for the whole group.
        var admin = app.MapGroup("/api/v1/admin").RequireAuthorization(KeySchemes.Operator).WithTags("Admin").OnManagementPort();
        admin.MapPost("/services", CreateService)
            .Produces<CreatedService>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Registers a sending service (in sandbox) and returns its first API key (shown only once).");
        admin.MapGet("/services", async (ServiceRegistry registry, CancellationToken ct) =>
            Results.Ok((await registry.ListAsync(ct)).Select(ServiceView.From)))
            .Produces<ServiceView[]>()
            .WithSummary("Every registered service.");
        admin.MapGet("/services/{id}", async (string id, ServiceRegistry registry, CancellationToken ct) =>
            await registry.FindAsync(id, ct) is { } service ? Results.Ok(ServiceView.From(service)) : ServiceNotFound(id))
            .Produces<ServiceView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One service.");
        admin.MapPatch("/services/{id}", UpdateService)
            .Produces<ServiceView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Changes the fields present in the body; null clears an optional field (a limit, the department).");
        admin.MapPost("/services/{id}/activate", async (string id, ServiceRegistry registry, ServiceExchanges exchanges, CancellationToken ct) =>
            {
                var result = await ChangeStateAsync(id, ServiceStates.Active, registry, ct);
                if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK })
                {
                    await exchanges.DeclareAsync(id, ct);
                }

                return result;
            })
            .Produces<ServiceView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Takes the service live (from sandbox or suspended): it may send to anyone.");
        admin.MapPost("/services/{id}/suspend", (string id, ServiceRegistry registry, CancellationToken ct) =>
            ChangeStateAsync(id, ServiceStates.Suspended, registry, ct))
            .Produces<ServiceView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Suspends the service: every submission gets 403 until it is activated again.");
        admin.MapPost("/services/{id}/sandbox-recipients", ChangeSandboxRecipients)
            .Produces<ServiceView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Adds and removes test codici fiscali: {\"add\": [...], \"remove\": [...]}.");
        admin.MapKeys();
        admin.MapCensus();
    }

    public static IResult ServiceNotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Service not found",
            detail: $"No service with id '{id}' is registered; list them with GET /api/v1/admin/services.");

    private static async Task<IResult> CreateService(JsonElement body, ServiceRegistry registry, ServiceExchanges exchanges, CancellationToken ct)
    {
        var (service, errors) = ServiceForm.Create(body);
        if (service is null)
        {
            return Results.ValidationProblem(errors, title: "The service is not valid");
        }

        if (await registry.ExistsAsync(service.Id, ct))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Service already registered",
                detail: $"A service with id '{service.Id}' exists.");
        }

        var key = await registry.CreateAsync(service, ct);
        await exchanges.DeclareAsync(service.Id, ct);
        return Results.Created($"/api/v1/admin/services/{service.Id}",
            new CreatedService(service.Id, key.Secret, key.KeyId.ToString(), service.State));
    }

    private static async Task<IResult> UpdateService(string id, JsonElement body, ServiceRegistry registry, CancellationToken ct)
    {
        if (await registry.FindAsync(id, ct) is not { } service)
        {
            return ServiceNotFound(id);
        }

        var errors = ServiceForm.Update(body, service);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The change is not valid");
        }

        await registry.SaveAsync(service, ct);
        return Results.Ok(ServiceView.From(service));
    }

    private static async Task<IResult> ChangeStateAsync(string id, string state, ServiceRegistry registry, CancellationToken ct)
    {
        if (await registry.FindAsync(id, ct) is not { } service)
        {
            return ServiceNotFound(id);
        }

        service.State = state;
        await registry.SaveAsync(service, ct);
        return Results.Ok(ServiceView.From(service));
    }

    private static async Task<IResult> ChangeSandboxRecipients(string id, SandboxRecipientsChange change, ServiceRegistry registry,
        CancellationToken ct)
    {
        if (await registry.FindAsync(id, ct) is not { } service)
        {
            return ServiceNotFound(id);
        }

        var errors = new Dictionary<string, string[]>();
        var add = change.Add.ValueKind == JsonValueKind.Undefined ? [] : ServiceForm.FiscalCodes(change.Add, "add", errors);
        var remove = change.Remove.ValueKind == JsonValueKind.Undefined ? [] : ServiceForm.FiscalCodes(change.Remove, "remove", errors);
        var recipients = service.SandboxRecipients.Except(remove).Union(add).ToList();
        if (recipients.Count > ServiceForm.MaxSandboxRecipients)
        {
            errors["add"] = [$"a service may have at most {ServiceForm.MaxSandboxRecipients} sandbox recipients"];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The change is not valid");
        }

        service.SandboxRecipients = recipients;
        await registry.SaveAsync(service, ct);
        return Results.Ok(ServiceView.From(service));
    }
}
