using Notifiche.Validation;

namespace Notifiche.Testing;

/// <summary>Fresh valid codici fiscali, so that every spec has citizens of its own on a shared platform.</summary>
public static class Citizens
{
    private static int _next = Random.Shared.Next(0, 1_000_000);

    public static string NewFiscalCode()
    {
        var n = Interlocked.Increment(ref _next);
        var year = (n % 100).ToString("00");
        var day = (n / 100 % 28 + 1).ToString("00");
        var town = $"H{n / 2800 % 1000:000}";
        var first15 = $"BNCLRA{year}A{day}{town}";
        return first15 + FiscalCode.CheckCharacter(first15);
    }
}
