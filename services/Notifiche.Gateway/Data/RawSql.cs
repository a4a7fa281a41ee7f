using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Notifiche.Gateway.Data;

/// <summary>
/// Plain commands on the context's connection and current transaction, for the statements EF cannot express portably
/// (upserts with RETURNING, sums of decimals on SQLite). Parameters are named <c>@name</c>, which Npgsql and SQLite both read.
/// </summary>
internal static class RawSql
{
    public static async Task<T> RunAsync<T>(GatewayDbContext db, string sql, IReadOnlyDictionary<string, object?> parameters,
        Func<DbCommand, CancellationToken, Task<T>> run, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(ct);
        }

        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            return await run(command, ct);
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    public static Task<int> ExecuteAsync(GatewayDbContext db, string sql, IReadOnlyDictionary<string, object?> parameters, CancellationToken ct) =>
        RunAsync(db, sql, parameters, (command, token) => command.ExecuteNonQueryAsync(token), ct);

    public static Task<List<T>> QueryAsync<T>(GatewayDbContext db, string sql, IReadOnlyDictionary<string, object?> parameters,
        Func<DbDataReader, T> read, CancellationToken ct) =>
        RunAsync(db, sql, parameters, async (command, token) =>
        {
            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                rows.Add(read(reader));
            }

            return rows;
        }, ct);

    /// <summary>
    /// A key as the parameter of a plain command: PostgreSQL takes the uuid, SQLite compares with the text EF Core stores
    /// (upper case), not with the blob Microsoft.Data.Sqlite would bind a Guid as.
    /// </summary>
    public static object Id(GatewayDbContext db, Guid id) => db.Database.IsNpgsql() ? id : id.ToString().ToUpperInvariant();

    /// <summary>A timestamp column: PostgreSQL answers a DateTime in UTC, SQLite the text EF Core stored.</summary>
    public static DateTimeOffset Time(DbDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
    {
        DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
        DateTimeOffset offset => offset,
        var text => DateTimeOffset.Parse(Convert.ToString(text, System.Globalization.CultureInfo.InvariantCulture)!, System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A number column as decimal: PostgreSQL answers numeric, SQLite a double or integer.</summary>
    public static decimal Decimal(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? 0m : Convert.ToDecimal(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    public static long Long(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? 0 : Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);
}
