using Concur.Tests.Support;

namespace Concur.Cluster.Tests;

/// <summary>A node runs work the way the process pool does: hard timeouts, crash isolation, tasks per child, cancelling a running task.</summary>
[Collection(InProcessClusterCollection.Name)]
public sealed class NodePoolTests(InProcessCluster cluster)
{
    [Fact]
    public async Task Submit_HardTimeout_KillsTheRunawayTaskOnItsNode()
    {
        using var executor = new ClusterExecutor(cluster.Client, maxWorkers: 1);
        var runaway = executor.Submit(ClusterWork.Runaway, TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(runaway));
        Assert.Contains("timeout", e.Message, StringComparison.Ordinal);
        Assert.Contains("on node", e.Message, StringComparison.Ordinal);
        Assert.True(await Bounded.Within(executor.Submit(ClusterWork.WorkerProcessId)) > 0);
    }

    [Fact]
    public async Task Submit_TaskCrashesItsWorker_FailsOnlyThatTask()
    {
        using var executor = new ClusterExecutor(cluster.Client, maxWorkers: 2);
        var crash = executor.Submit(ClusterWork.Crash);
        var fine = executor.Submit(ClusterWork.WorkerProcessId);
        await Assert.ThrowsAsync<WorkerCrashedException>(() => Bounded.Within(crash));
        Assert.True(await Bounded.Within(fine) > 0);
        Assert.True(await Bounded.Within(executor.Submit(ClusterWork.WorkerProcessId)) > 0);
    }

    [Fact]
    public async Task MaxTasksPerChild_ReplacesTheWorkerOnTheNode()
    {
        using var executor = new ClusterExecutor(cluster.Client, maxWorkers: 1, maxTasksPerChild: 1);
        var pids = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            pids.Add(await Bounded.Within(executor.Submit(ClusterWork.WorkerProcessId)));
        }
        Assert.Equal(3, pids.Distinct().Count());
    }

    [Fact]
    public async Task Submit_CancelWhileRunning_KillsTheTaskOnItsNode()
    {
        using var blocker = new Blocker();
        using var executor = new ClusterExecutor(cluster.Client, maxWorkers: 1);
        using var cts = new CancellationTokenSource();
        var running = executor.Submit(ClusterWork.StartAndBlock, blocker.Directory, "cancelled", cts.Token);
        blocker.WaitStarted(1);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(running));
        Assert.True(running.IsCanceled);
        Assert.True(await Bounded.Within(executor.Submit(ClusterWork.WorkerProcessId)) > 0);
    }

    [Fact]
    public async Task Submit_LargeArrays_ArriveAsSent()
    {
        using var executor = new ClusterExecutor(cluster.Client, maxWorkers: 1);
        double[] data = Enumerable.Range(0, 100_000).Select(i => i * 0.5).ToArray();
        double[] back = await Bounded.Within(executor.Submit(static (double[] d) => d.Select(x => x * 2).ToArray(), data));
        Assert.Equal(data.Select(x => x * 2), back);
    }
}
