namespace Concur.Tests.Processes;

public sealed class ConcurWorkerTests
{
    [Fact]
    public void TryRunWorker_OrdinaryArguments_ReturnsFalseAndRecordsTheHook()
    {
        Assert.False(ConcurWorker.TryRunWorker(["--verbose"]));
        Assert.False(ConcurWorker.TryRunWorker([]));
        Assert.True(Concur.Processes.Internal.LaunchPlan.Current.Error is null);
    }

    [Fact]
    public void TryRunWorker_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ConcurWorker.TryRunWorker(null!));
    }
}
