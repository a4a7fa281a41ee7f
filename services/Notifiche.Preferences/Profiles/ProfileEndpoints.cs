using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Notifiche.Preferences.Data;
using Notifiche.Preferences.Deferral;
using Notifiche.Preferences.Holding;
using Notifiche.Validation;

namespace Notifiche.Preferences.Profiles;

/// <summary>The citizen app backend's API: create/replace, export and erase a citizen's profile.</summary>
public static class ProfileEndpoints
{
    public const string Scheme = "AppBackend";

    public static void MapProfiles(this IEndpointRouteBuilder app)
    {
        var profiles = app.MapGroup("/api/v1/profiles/{fiscal_code}").RequireAuthorization(Scheme).WithTags("Profiles");
        profiles.MapPut("/", Put).ProducesValidationProblem().WithSummary("Creates or replaces a citizen's profile.");
        profiles.MapGet("/", Get).WithSummary("The whole stored profile (the citizen's data export).");
        profiles.MapDelete("/", Delete).WithSummary("Erases the profile and its contact data.");
    }

    private static async Task<IResult> Put([FromRoute(Name = "fiscal_code")] string fiscalCode, ProfileRequest request, PreferencesDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (profile, errors) = ProfileValidator.Validate(fiscalCode, request);
        if (profile is null)
        {
            return Results.ValidationProblem(errors, title: "The profile is not valid");
        }

        profile.UpdatedAt = clock.GetUtcNow();
        var existing = await db.Profiles.FirstOrDefaultAsync(p => p.FiscalCode == profile.FiscalCode, ct);
        // A profile only replaced is one statement, as before; a new one is committed with the release of its held notices.
        await using var tx = existing is null ? await db.Database.BeginTransactionAsync(ct) : null;
        if (existing is null)
        {
            db.Profiles.Add(profile);
            // Notices held until the citizen registered are routed now, committed with the profile (issue 17 point 6).
            await HeldNotices.ReleaseAsync(db, profile.FiscalCode, ct);
        }
        else
        {
            // The chat is linked by the bot (/start), never by this API: replacing the profile keeps it.
            profile.TelegramChatId = existing.TelegramChatId;
            db.Entry(existing).CurrentValues.SetValues(profile);
            existing.PushTokens = profile.PushTokens;
            existing.BlockedServices = profile.BlockedServices;
            existing.ReadReceiptServices = profile.ReadReceiptServices;
        }

        try
        {
            await db.SaveChangesAsync(ct);
            if (tx is not null)
            {
                await tx.CommitAsync(ct);
            }
        }
        catch (DbUpdateException)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Concurrent update",
                detail: "The profile was written at the same time by another request; send it again.");
        }

        return Results.Ok(ProfileResponse.From(existing ?? profile));
    }

    private static async Task<IResult> Get([FromRoute(Name = "fiscal_code")] string fiscalCode, PreferencesDbContext db, CancellationToken ct) =>
        await Find(fiscalCode, db, ct) is { } profile ? Results.Ok(ProfileResponse.From(profile)) : NotFound();

    /// <summary>
    /// Erases the profile, its Telegram link tokens, the contact data of dispatches still waiting for the end of quiet
    /// hours (<see cref="DeferredCommands.Withdraw"/>) and the content of notices held for the citizen and not yet routed
    /// (<see cref="HeldNotices.WithdrawAsync"/>), in one transaction.
    /// </summary>
    private static async Task<IResult> Delete([FromRoute(Name = "fiscal_code")] string fiscalCode, PreferencesDbContext db, TimeProvider clock,
        CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await Find(fiscalCode, db, ct) is not { } profile)
        {
            return NotFound();
        }

        db.Profiles.Remove(profile);
        var now = clock.GetUtcNow();
        foreach (var waiting in await db.DeferredDispatches.Where(d => d.FiscalCode == profile.FiscalCode).ToListAsync(ct))
        {
            DeferredCommands.Withdraw(waiting, now);
        }

        await HeldNotices.WithdrawAsync(db, profile.FiscalCode, now, ct);

        await db.SaveChangesAsync(ct);
        await db.TelegramLinkTokens.Where(t => t.FiscalCode == profile.FiscalCode).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return Results.NoContent();
    }

    private static async Task<Profile?> Find(string fiscalCodeInput, PreferencesDbContext db, CancellationToken ct)
    {
        FiscalCode.Validate(fiscalCodeInput, out var fiscalCode);
        return await db.Profiles.FirstOrDefaultAsync(p => p.FiscalCode == fiscalCode, ct);
    }

    private static IResult NotFound() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No profile", detail: "No profile is stored for this codice fiscale.");
}
