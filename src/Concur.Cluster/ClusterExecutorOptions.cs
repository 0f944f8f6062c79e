namespace Concur;

/// <summary>Where a <see cref="ClusterExecutor"/> finds its nodes, and how it treats their loss.</summary>
public sealed class ClusterExecutorOptions
{
    /// <summary>
    /// Gets or sets the Redis connection string (StackExchange.Redis syntax, e.g. <c>redis1:6379</c>) of the cluster's
    /// membership table: the executor joins the cluster whose nodes were started with <c>concur node --cluster
    /// redis://...</c>. <see langword="null"/> (the default) starts <see cref="LocalNodes"/> node processes on this
    /// machine instead (development clustering on loopback).
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Gets or sets the number of node processes the embedded cluster starts on this machine (no <see cref="Redis"/>); at least 1, 2 by default.</summary>
    public int LocalNodes { get; set; } = 2;

    /// <summary>
    /// Gets or sets the worker processes each embedded node gives an executor; <see langword="null"/> (the default)
    /// shares this machine's processors among the nodes (at least 1 each).
    /// </summary>
    public int? WorkersPerLocalNode { get; set; }

    /// <summary>Gets or sets the Orleans cluster id the nodes were started with; <c>concur</c> by default.</summary>
    public string ClusterId { get; set; } = "concur";

    /// <summary>Gets or sets the Orleans service id the nodes were started with; <c>concur</c> by default.</summary>
    public string ServiceId { get; set; } = "concur";

    /// <summary>
    /// Gets or sets a value indicating whether a task whose node is lost mid-run runs again on another node
    /// (at-least-once: it may then have run twice, so it should be idempotent). <see langword="false"/> (the default) fails such a task with
    /// <see cref="NodeLostException"/> (at-most-once, as Orleans' own calls).
    /// </summary>
    public bool RetryOnNodeLoss { get; set; }

    /// <summary>
    /// Gets or sets how long a node may leave the executor's pings unanswered before it is taken as lost (its running
    /// tasks then fail, or are retried); 3 seconds by default. Orleans' own failure detection also counts.
    /// </summary>
    public TimeSpan NodeLossTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
