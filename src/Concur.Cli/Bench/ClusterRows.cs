using Concur.Cluster.Internal;

namespace Concur.Cli.Bench;

/// <summary>
/// The cluster rows of <c>bench primes --cluster N</c>: an embedded cluster of N node processes on this machine,
/// started once for the whole run (outside every timing), and per row a <see cref="ClusterExecutor"/> on it with the
/// row's worker count. Cold rows time the executor's start (its node pools' workers) and shutdown, as the process
/// pool's cold rows do; warm rows reuse a warmed executor.
/// </summary>
internal sealed class ClusterRows : IDisposable
{
    /// <summary>The mode's name in the table and JSON.</summary>
    public const string ModeName = "cluster";

    private readonly ClusterConnection _connection;

    private ClusterRows(ClusterConnection connection, int nodes)
    {
        _connection = connection;
        Nodes = nodes;
        Mode = new BenchMode(ModeName, n => new ClusterExecutor(_connection.Client, n), WarmUpTasks.ProcessIdentity);
    }

    /// <summary>Gets the number of nodes.</summary>
    public int Nodes { get; }

    /// <summary>Gets the cluster mode.</summary>
    public BenchMode Mode { get; }

    /// <summary>Starts <paramref name="nodes"/> node processes, each able to give one executor <paramref name="maxWorkers"/> workers.</summary>
    public static ClusterRows Start(int nodes, int maxWorkers)
    {
        var options = new ClusterExecutorOptions { LocalNodes = nodes, WorkersPerLocalNode = maxWorkers };
        ClusterConnection connection = ClusterClients.ConnectAsync(options).WaitAsync(TimeSpan.FromMinutes(3)).GetAwaiter().GetResult();
        return new ClusterRows(connection, nodes);
    }

    /// <summary>Stops the client and the node processes.</summary>
    public void Dispose() => _connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
}
