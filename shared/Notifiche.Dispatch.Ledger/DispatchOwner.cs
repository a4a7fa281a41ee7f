using System.Collections.Concurrent;

namespace Notifiche.Dispatch.Ledger;

/// <summary>
/// This process as the owner of the dispatch claims it makes (<see cref="DispatchRecord.Owner"/>), and the claims it is
/// calling a provider for right now: a claim of ours that no attempt of ours holds any more died with its attempt.
/// </summary>
public sealed class DispatchOwner
{
    private readonly ConcurrentDictionary<DispatchKey, int> _calling = new();

    /// <summary>Host name (a pod's name, for the SRE looking at a stuck claim) and a fresh id per process start.</summary>
    public string Id { get; } = $"{Environment.MachineName}/{Guid.NewGuid():N}" is var id && id.Length > 128 ? id[^128..] : id;

    public void Enter(DispatchKey key) => _calling.AddOrUpdate(key, 1, (_, n) => n + 1);

    public void Exit(DispatchKey key)
    {
        if (_calling.AddOrUpdate(key, 0, (_, n) => n - 1) <= 0)
        {
            _calling.TryRemove(new KeyValuePair<DispatchKey, int>(key, 0));
        }
    }

    public bool IsCalling(DispatchKey key) => _calling.ContainsKey(key);
}
