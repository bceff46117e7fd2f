using Vz.Deploy.Push;
using Vz.Deploy.Runner;

namespace Vz.Deploy.Apply;

/// <summary>What deploy was asked to do beyond the fleet file.</summary>
public sealed record DeployOptions
{
    /// <summary>Nodes after the canary deployed at once; null: the fleet file's rollout.batch.</summary>
    public int? Batch { get; init; }
    /// <summary>How long to wait for another deploy's lock on a node; null: the fleet file's rollout.lockWait.</summary>
    public TimeSpan? LockWait { get; init; }
    /// <summary>Nodes surveyed at once, and the most deployed at once within a batch.</summary>
    public int Parallel { get; init; } = 8;
    /// <summary>Reconnects after a broken link (each attempt re-reads the node and goes on from where it is).</summary>
    public int Retries { get; init; } = 2;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public string CacheDir { get; init; } = LocalImageCache.DefaultRoot;
    /// <summary>Copied to Linux x86_64 nodes without xdelta3 to apply deltas (as push --delta does); null: those get full uploads.</summary>
    public VzpatchBinary? Vzpatch { get; init; }
    /// <summary>Who deploys: written into the node's lock, release records and history.</summary>
    public string Who { get; init; } = $"{Environment.UserName}@{Environment.MachineName}";
    /// <summary>
    /// Remove the pods vz placed on a node that the fleet file no longer places there (unit,
    /// secrets; never volumes). Without it such a pod keeps running, and deploy says how to remove it.
    /// </summary>
    public bool Prune { get; init; }
    /// <summary>The check before a pod's switch is confirmed settles this many seconds in a row.</summary>
    public int SettleSeconds { get; init; } = 5;

    public FleetOptions Fleet => new() { Parallel = Parallel, Retries = Retries, RetryDelay = RetryDelay };

    /// <summary>Images go as push --delta sends them.</summary>
    internal PushOptions Push(string archive) => new(archive) { Delta = true, CacheDir = CacheDir, Vzpatch = Vzpatch, Retries = 0 };
}
