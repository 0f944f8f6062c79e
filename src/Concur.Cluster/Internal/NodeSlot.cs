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
    }

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
    public long LastAnswer { get; set; }

    /// <summary>Gets or sets a value indicating whether the node was taken as lost (engine's lock).</summary>
    public bool Lost { get; set; }
}
