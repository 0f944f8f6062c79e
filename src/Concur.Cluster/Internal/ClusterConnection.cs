namespace Concur.Cluster.Internal;

/// <summary>A connected Orleans client, and what to stop when the executor is done with it (its host, the nodes it started).</summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private readonly Func<ValueTask> _dispose;

    public ClusterConnection(IClusterClient client, Func<ValueTask> dispose, LocalCluster? local = null)
    {
        Client = client;
        _dispose = dispose;
        Local = local;
    }

    /// <summary>Gets the embedded cluster the executor started, if it did.</summary>
    public LocalCluster? Local { get; }

    /// <summary>Gets the client.</summary>
    public IClusterClient Client { get; }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _dispose();
}
