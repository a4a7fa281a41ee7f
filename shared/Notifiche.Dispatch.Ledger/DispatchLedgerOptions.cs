using System.ComponentModel.DataAnnotations;

namespace Notifiche.Dispatch.Ledger;

/// <summary>Bound from the <c>DispatchLedger</c> configuration section (the database: <c>ConnectionStrings:DispatchLedger</c>).</summary>
public sealed class DispatchLedgerOptions
{
    public const string Section = "DispatchLedger";

    /// <summary>The connection string name and configuration prefix of the ledger's database (one per dispatcher process).</summary>
    public const string Database = "DispatchLedger";

    /// <summary>
    /// Secret key of the address pseudonyms (HMAC-SHA256). Without the key a stolen ledger cannot be matched against
    /// a list of phone numbers or addresses. Changing it forgets the dispatches in flight: a command redelivered
    /// across the change may reach its provider again. Like every secret, checked at start (<c>Secrets</c>).
    /// </summary>
    public const string AddressKeySetting = Section + ":" + nameof(AddressKey);

    /// <inheritdoc cref="AddressKeySetting"/>
    public string AddressKey { get; set; } = string.Empty;

    /// <summary>
    /// How long a claim stays its owner's without a renewal (renewed every third of it while the provider call runs).
    /// A command redelivered after its dispatcher died waits at most this long before the dead claim is declared
    /// <see cref="DispatchLedger.OutcomeUnknown"/>; clocks of the dispatcher replicas must agree well within it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "00:10:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(15);
}
