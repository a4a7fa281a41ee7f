using Notifiche.Contracts;

namespace Notifiche.Gateway.Registry;

public sealed record CreateServiceRequest(string? Id, string? Name, string? OrganizationName, List<string>? AllowedChannels);

public sealed record CreatedService(string ServiceId, string ApiKey);

/// <summary>The operator's first path into the registry: create a service and its key.</summary>
public static class AdminEndpoints
{
    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").RequireAuthorization(KeySchemes.Operator).WithTags("Admin");
        admin.MapPost("/services", CreateService)
            .WithSummary("Registers a sending service and returns its API key (shown only once).");
    }

    private static async Task<IResult> CreateService(CreateServiceRequest request, ServiceRegistry registry, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Id is null || !ServiceIds.IsValid(request.Id))
        {
            errors["id"] = [$"is required: {ServiceIds.Rule}"];
        }

        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors["name"] = ["is required, at most 200 characters"];
        }

        if (string.IsNullOrWhiteSpace(request.OrganizationName) || request.OrganizationName.Length > 200)
        {
            errors["organization_name"] = ["is required, at most 200 characters"];
        }

        var channels = request.AllowedChannels ?? [.. ServiceRegistry.DefaultChannels];
        if (channels.Count == 0 || channels.Any(c => !Channels.All.Contains(c)))
        {
            errors["allowed_channels"] = [$"must be a non-empty subset of {string.Join(", ", Channels.All)}"];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        if (await registry.ExistsAsync(request.Id!, ct))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Service already registered",
                detail: $"A service with id '{request.Id}' exists.");
        }

        var secret = await registry.CreateAsync(
            new NewService(request.Id!, request.Name!.Trim(), request.OrganizationName!.Trim(), channels.Distinct().ToList()), ct);
        return Results.Created($"/api/v1/admin/services/{request.Id}", new CreatedService(request.Id!, secret));
    }
}
