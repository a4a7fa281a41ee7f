using System.Net;
using System.Net.Http.Json;
using Notifiche.Testing;

namespace Notifiche.Governance.Tests;

/// <summary>A citizen with a profile (verified email and a mobile number, email and SMS on), as the app backend creates it.</summary>
public sealed record Citizen(string FiscalCode, string Email, string Phone)
{
    public static async Task<Citizen> WithEmailAndSmsAsync()
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var citizen = new Citizen(fiscalCode, $"{fiscalCode.ToLowerInvariant()}@example.it", $"+39347{Math.Abs(fiscalCode.GetHashCode()) % 10_000_000:0000000}");
        var response = await Platform.Hosts.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new
        {
            email = citizen.Email, email_verified = true, phone = citizen.Phone, language = "it",
            channels = new { email = true, sms = true, push = false },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return citizen;
    }

    public int SmsReceived => Platform.Hosts.Twilio.Accepted.Count(r => r.To == Phone);
}
