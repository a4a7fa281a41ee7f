namespace Notifiche.Testing;

/// <summary>Settings of a dispatcher's ledger (<c>ConnectionStrings:DispatchLedger</c>, <c>DispatchLedger:*</c>) in tests.</summary>
public static class TestDispatchLedger
{
    /// <summary>Random per test process (<see cref="TestSettings.NewSecret"/>).</summary>
    public static readonly string AddressKey = TestSettings.NewSecret();

    /// <summary>A fresh SQLite file of its own, for the in-memory harness hosts.</summary>
    public static Dictionary<string, string?> Sqlite() =>
        Settings("Sqlite", $"Data Source={Path.Combine(Path.GetTempPath(), $"notifiche-dispatches-{Guid.NewGuid():N}.db")}");

    public static Dictionary<string, string?> PostgreSql(PostgresTestDatabase database) => Settings("PostgreSql", database.ConnectionString);

    public static Dictionary<string, string?> Settings(string provider, string connectionString) => new()
    {
        ["ConnectionStrings:DispatchLedger"] = connectionString,
        ["DispatchLedger:Database:Provider"] = provider,
        ["DispatchLedger:AddressKey"] = AddressKey,
    };
}
