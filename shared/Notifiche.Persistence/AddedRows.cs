using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Notifiche.Persistence;

/// <summary>
/// Saves the new rows a context tracks with one <c>INSERT … SELECT * FROM unnest(…)</c> per table — one array parameter
/// per column instead of one parameter per value — all sent in one batch (issue 15: EF Core's own insert of a group of
/// notices, outbox rows, audit entries and channels was ~18 % of the services' CPU and a fifth of their allocations,
/// and its statement text changed with the group's size, so PostgreSQL could not keep it prepared; here each table's
/// statement is the same for any number of rows and Npgsql's automatic preparation keeps it).
/// <para>
/// Generic over EF Core's model: a column added to an entity is inserted without touching this code. Whatever it does
/// not handle goes to <see cref="DbContext.SaveChangesAsync(CancellationToken)"/> unchanged: another provider than
/// PostgreSQL (the standalone's SQLite), a modified or deleted entity in the context, a column with a database default,
/// owned, JSON or inherited entity types, a value in an array or <see cref="DateTime"/> column (an escalation step's
/// channels; such a column null in every row is simply left out of the insert). Store-generated keys (identity
/// columns) are left to the database and not read back: callers of this method never use them.
/// </para>
/// </summary>
public static class AddedRows
{
    /// <summary>
    /// Inserts every entity added to <paramref name="db"/> in the current transaction (or in the batch's own implicit one)
    /// and detaches them; a PostgreSQL error (a unique key taken) is a <see cref="DbUpdateException"/>, as from EF Core.
    /// </summary>
    public static async Task SaveAddedAsync(this DbContext db, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
        {
            await db.SaveChangesAsync(ct);
            return;
        }

        // Entries() detects changes first: rows reached through navigations (a notice's omissions) are added and get their keys.
        var added = new List<EntityEntry>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
            {
                await db.SaveChangesAsync(ct);
                return;
            }

            if (entry.State == EntityState.Added)
            {
                added.Add(entry);
            }
        }

        if (added.Count == 0)
        {
            return;
        }

        var tables = new List<(IEntityType Type, List<EntityEntry> Rows)>();
        foreach (var group in added.GroupBy(e => e.Metadata))
        {
            if (!Supported(group.Key))
            {
                await db.SaveChangesAsync(ct);
                return;
            }

            tables.Add((group.Key, InTrackingOrder(group.Key, [.. group])));
        }

        var commands = new List<NpgsqlBatchCommand>();
        foreach (var (type, rows) in InDependencyOrder(tables))
        {
            if (Insert(type, rows) is not { } command)
            {
                await db.SaveChangesAsync(ct);
                return;
            }

            commands.Add(command);
        }

        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(),
            (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        commands.ForEach(batch.BatchCommands.Add);
        var opened = batch.Connection!.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(ct);
        }

        try
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e)
        {
            throw new DbUpdateException($"inserting the new rows of {string.Join(", ", tables.Select(t => t.Type.GetTableName()))} failed: {e.MessageText}", e);
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }

        foreach (var entry in added)
        {
            entry.State = EntityState.Detached;
        }
    }

    private static bool Supported(IEntityType type) =>
        type.GetTableName() is not null && !type.IsOwned() && type.BaseType is null && !type.GetDirectlyDerivedTypes().Any()
        && !type.GetComplexProperties().Any() && !type.IsMappedToJson() && !type.GetNavigations().Any(n => n.TargetEntityType.IsOwned());

    /// <summary>
    /// A table's rows in the order they were added, as EF Core inserts them (by their temporary keys, which increase):
    /// <c>Entries()</c> gives that order only until the context detaches an entry, whose place the next one takes. An
    /// identity column then numbers the rows in that order — the audit trail's sequence is its append order.
    /// </summary>
    private static List<EntityEntry> InTrackingOrder(IEntityType type, List<EntityEntry> rows)
    {
        if (rows.Count < 2 || type.FindPrimaryKey() is not { Properties: [var key] }
            || !rows.All(r => r.Property(key.Name) is { IsTemporary: true, CurrentValue: IComparable }))
        {
            return rows;
        }

        return [.. rows.OrderBy(r => (IComparable)r.Property(key.Name).CurrentValue!)];
    }

    /// <summary>Principal tables first: PostgreSQL checks a foreign key at the end of each statement, not of the batch.</summary>
    private static IEnumerable<(IEntityType Type, List<EntityEntry> Rows)> InDependencyOrder(List<(IEntityType Type, List<EntityEntry> Rows)> tables)
    {
        var left = tables.ToList();
        var done = new HashSet<IEntityType>();
        while (left.Count > 0)
        {
            var next = left.FirstOrDefault(t => t.Type.GetForeignKeys().All(fk =>
                fk.PrincipalEntityType == t.Type || done.Contains(fk.PrincipalEntityType) || left.All(l => l.Type != fk.PrincipalEntityType)));
            if (next.Type is null)
            {
                next = left[0]; // a cycle between tables: none in our models; PostgreSQL names the violated key if one appears
            }

            left.Remove(next);
            done.Add(next.Type);
            yield return next;
        }
    }

    /// <summary>The statement inserting <paramref name="rows"/>, or null when a column is of a kind left to EF Core.</summary>
    private static NpgsqlBatchCommand? Insert(IEntityType type, List<EntityEntry> rows)
    {
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var columns = new List<string>();
        var casts = new List<string>();
        var command = new NpgsqlBatchCommand();
        foreach (var property in type.GetProperties())
        {
            if (property.GetColumnName(table) is not { } column)
            {
                continue;
            }

            var temporary = rows.Count(r => r.Property(property.Name).IsTemporary);
            if (temporary == rows.Count && property.ValueGenerated != ValueGenerated.Never)
            {
                continue; // an identity column: the database numbers the rows
            }

            if (temporary > 0 || property.GetDefaultValueSql() is not null || property.GetComputedColumnSql() is not null
                || (property.TryGetDefaultValue(out var defaultValue) && defaultValue is not null))
            {
                return null;
            }

            var mapping = property.GetRelationalTypeMapping();
            var converter = mapping.Converter;
            var provider = Nullable.GetUnderlyingType(converter?.ProviderClrType ?? property.ClrType) ?? converter?.ProviderClrType ?? property.ClrType;
            if (provider == typeof(DateTime) || (provider.IsArray && provider != typeof(byte[])) || (provider != typeof(string) && provider.IsAssignableTo(typeof(System.Collections.IEnumerable))))
            {
                if (rows.All(r => r.Property(property.Name).CurrentValue is null))
                {
                    continue; // left out: NULL, as EF Core writes it (the column has no default, checked above)
                }

                return null;
            }

            var element = provider.IsValueType && property.IsNullable ? typeof(Nullable<>).MakeGenericType(provider) : provider;
            var values = Array.CreateInstance(element, rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var value = rows[i].Property(property.Name).CurrentValue;
                if (value is not null && converter is not null)
                {
                    value = converter.ConvertToProvider(value);
                }

                values.SetValue(value, i);
            }

            command.Parameters.Add(new NpgsqlParameter { Value = values });
            columns.Add($"\"{column}\"");
            casts.Add($"${command.Parameters.Count}::{mapping.StoreTypeNameBase}[]");
        }

        var name = type.GetSchema() is { } schema ? $"\"{schema}\".\"{table.Name}\"" : $"\"{table.Name}\"";
        command.CommandText = $"INSERT INTO {name} ({string.Join(", ", columns)}) SELECT * FROM unnest({string.Join(", ", casts)})";
        return command;
    }
}
