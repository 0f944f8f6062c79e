using System.Diagnostics;

namespace Concur.Cluster.Internal;

/// <summary>A node as one executor uses it: its grain, its share of workers, the tasks it runs, and when it last answered.</summary>
internal sealed class NodeSlot
{
    public NodeSlot(string key, INodeGrain grain, NodeInfo info)
    {
        Key = key;
        Grain = grain;
        Name = info.Name;
        Workers = info.Workers;
        LastAnswer = Stopwatch.GetTimestamp();
        LastReachable = 0;
        Endpoint = SiloAddress.FromParsableString(key).Endpoint;
    }

    /// <summary>Gets the node's silo endpoint (probed by the executor's watcher).</summary>
    public System.Net.IPEndPoint Endpoint { get; }

    /// <summary>Gets or sets the <see cref="Stopwatch"/> timestamp of the last accepted connection to <see cref="Endpoint"/>.</summary>
    public long LastReachable
    {
        get => Volatile.Read(ref _lastReachable);
        set => Volatile.Write(ref _lastReachable, value);
    }

    private long _lastReachable;

    /// <summary>Gets or sets a value indicating whether a connection to <see cref="Endpoint"/> was ever accepted (a TCP transport).</summary>
    public bool Probed
    {
        get => Volatile.Read(ref _probed);
        set => Volatile.Write(ref _probed, value);
    }

    private bool _probed;

    /// <summary>Gets the timestamp of the latest sign of life: an answered ping or an accepted connection.</summary>
    public long LastSign => Math.Max(LastAnswer, LastReachable);

    /// <summary>Gets the node's silo address (its grain key).</summary>
    public string Key { get; }

    /// <summary>Gets the node's grain.</summary>
    public INodeGrain Grain { get; }

    /// <summary>Gets the node's name.</summary>
    public string Name { get; }

    /// <summary>Gets how many of the executor's tasks the node runs at once.</summary>
    public int Workers { get; }

    /// <summary>Gets the tasks the node runs now (engine's lock).</summary>
    public HashSet<ClusterWorkItem> Running { get; } = [];

    /// <summary>Gets or sets the <see cref="Stopwatch"/> timestamp of the node's last answer to a ping.</summary>
    public long LastAnswer
    {
        get => Volatile.Read(ref _lastAnswer);
        set => Volatile.Write(ref _lastAnswer, value);
    }

    private long _lastAnswer;

    private int _pinging;

    /// <summary>Marks a ping as in flight; false when one already is.</summary>
    public bool TryStartPing() => Interlocked.Exchange(ref _pinging, 1) == 0;

    /// <summary>Marks the ping in flight as ended.</summary>
    public void EndPing() => Volatile.Write(ref _pinging, 0);

    /// <summary>Gets or sets a value indicating whether the node was taken as lost (engine's lock).</summary>
    public bool Lost { get; set; }
}
