using Concur.Tests.Futures;

namespace Concur.Tests.Processes;

/// <summary>The executor contract, run against <see cref="ProcessPoolExecutor"/>.</summary>
public sealed class ProcessPoolExecutorContractTests : ExecutorContractTests
{
    protected override IExecutor CreateExecutor(int maxWorkers) => new ProcessPoolExecutor(maxWorkers);

    protected override IExecutor CreateExecutor(int maxWorkers, Action initializer) => new ProcessPoolExecutor(maxWorkers, initializer);

    /// <summary>User exceptions come back from the worker as <see cref="RemoteException"/> carrying the remote type name.</summary>
    protected override void AssertUserException(Exception thrown, Type expectedType, string expectedMessage)
    {
        var remote = Assert.IsType<RemoteException>(thrown);
        Assert.Equal(expectedType.FullName, remote.RemoteTypeName);
        Assert.Equal(expectedMessage, remote.Message);
    }

    /// <summary>A task cancelled in the worker comes back as a <see cref="RemoteException"/> naming the cancellation and saying where it happened.</summary>
    protected override void AssertCancelledInWork(Exception thrown)
    {
        var remote = Assert.IsType<RemoteException>(thrown);
        Assert.Equal(typeof(TaskCanceledException).FullName, remote.RemoteTypeName);
        Assert.Contains("cancelled in the worker process", remote.Message, StringComparison.Ordinal);
    }
}
