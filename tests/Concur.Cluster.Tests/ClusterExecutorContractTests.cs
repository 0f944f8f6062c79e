using Concur.Tests.Futures;

namespace Concur.Cluster.Tests;

/// <summary>The executor contract, run against <see cref="ClusterExecutor"/> on an in-process cluster of 2 nodes.</summary>
[Collection(InProcessClusterCollection.Name)]
public sealed class ClusterExecutorContractTests(InProcessCluster cluster) : ExecutorContractTests
{
    protected override IExecutor CreateExecutor(int maxWorkers) => new ClusterExecutor(cluster.Client, maxWorkers);

    protected override IExecutor CreateExecutor(int maxWorkers, Action initializer) => new ClusterExecutor(cluster.Client, maxWorkers, initializer);

    /// <summary>User exceptions come back from the node's worker as <see cref="RemoteException"/> carrying the remote type name.</summary>
    protected override void AssertUserException(Exception thrown, Type expectedType, string expectedMessage)
    {
        var remote = Assert.IsType<RemoteException>(thrown);
        Assert.Equal(expectedType.FullName, remote.RemoteTypeName);
        Assert.Equal(expectedMessage, remote.Message);
    }

    /// <summary>A task cancelled in the worker comes back as a <see cref="RemoteException"/> naming the cancellation.</summary>
    protected override void AssertCancelledInWork(Exception thrown)
    {
        var remote = Assert.IsType<RemoteException>(thrown);
        Assert.Equal(typeof(TaskCanceledException).FullName, remote.RemoteTypeName);
        Assert.Contains("cancelled in the worker process", remote.Message, StringComparison.Ordinal);
    }
}
