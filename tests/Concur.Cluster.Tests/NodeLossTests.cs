using System.Diagnostics;
using Concur.Tests.Support;

namespace Concur.Cluster.Tests;

/// <summary>
/// Node loss and node arrival on Orleans' in-process test cluster (each test its own cluster): a killed node fails
/// only the tasks it ran, naming itself, within 5 s; retries move them when asked; a node that joins gets work.
/// </summary>
public sealed class NodeLossTests
{
    [Fact]
    public async Task NodeKilled_FailsOnlyItsRunningTasksNamingTheNode_QueuedWorkRunsElsewhere()
    {
        await InProcessCluster.WithFreshAsync(2, async cluster =>
        {
            using var blocker = new Blocker();
            var executor = new ClusterExecutor(cluster.Client, maxWorkers: 2);
            Bounded.Until(() => executor.NodeNames.Count == 2, "the executor joined both nodes");
            var a = executor.Submit(ClusterWork.StartAndBlock, blocker.Directory, "a");
            var b = executor.Submit(ClusterWork.StartAndBlock, blocker.Directory, "b");
            blocker.WaitStarted(2);
            var queued = executor.Submit(ClusterWork.WorkerProcessId);
            var victim = cluster.Cluster.Silos[1];

            var clock = Stopwatch.StartNew();
            await cluster.Cluster.KillSiloAsync(victim).WaitAsync(Bounded.Limit);
            var first = await Bounded.Within(Task.WhenAny(a, b));
            var noticed = clock.Elapsed;

            var lost = await Assert.ThrowsAsync<NodeLostException>(() => first);
            Assert.Equal(victim.Name, lost.NodeName);
            Assert.Contains(victim.Name, lost.Message, StringComparison.Ordinal);
            Assert.True(noticed < TimeSpan.FromSeconds(5), $"the loss was noticed after {noticed.TotalSeconds:0.0} s");
            blocker.Release();
            var survivor = first == a ? b : a;
            await Bounded.Within(survivor);
            Assert.True(survivor.IsCompletedSuccessfully);
            await Bounded.Within(queued);
            Assert.DoesNotContain(victim.Name, executor.NodeNames);
            Assert.Single(executor.NodeNames);
            await Bounded.Within(executor.ShutdownAsync());
        });
    }

    [Fact]
    public async Task NodeKilled_RetryOnNodeLoss_RunsItsTasksAgainElsewhere()
    {
        await InProcessCluster.WithFreshAsync(2, async cluster =>
        {
            using var blocker = new Blocker();
            int[] nodes = await RunTwoAndKillOneNodeAsync(cluster, blocker, (executor, i) => executor.Submit(ClusterWork.StartAndBlock, blocker.Directory, $"t{i}"));

            // Both tasks complete: the one on the killed node ran again on the survivor (at-least-once).
            Assert.Equal(2, nodes.Length);
        });
    }

    [Fact]
    public async Task NodeKilled_RetriedIdempotentTask_ReadsTheSameKeyOnEveryRun()
    {
        await InProcessCluster.WithFreshAsync(2, async cluster =>
        {
            using var blocker = new Blocker();
            Guid[] keys = await RunTwoAndKillOneNodeAsync(cluster, blocker, (executor, _) => executor.SubmitIdempotent(ClusterWork.KeyedStartAndBlock, blocker.Directory));

            // Each submission has its own key; the task that lost its node ran twice, in two workers, with one key.
            Assert.NotEqual(keys[0], keys[1]);
            var runs = Directory.GetFiles(blocker.Directory, "started-*")
                .Select(path => Path.GetFileName(path).Split('-'))
                .Select(parts => (Key: Guid.ParseExact(parts[1], "N"), Worker: parts[2]))
                .ToList();
            Assert.All(runs, run => Assert.Contains(run.Key, keys));
            var retried = Assert.Single(runs.GroupBy(run => run.Key), group => group.Count() == 2);
            Assert.Equal(2, retried.Select(run => run.Worker).Distinct().Count());
            Assert.Equal(3, runs.Count);
        });
    }

    [Fact]
    public async Task NodeJoinsMidRun_GetsQueuedWork()
    {
        await InProcessCluster.WithFreshAsync(1, async cluster =>
        {
            using var blocker = new Blocker();
            var executor = new ClusterExecutor(cluster.Client);
            Bounded.Until(() => executor.NodeNames.Count == 1, "the executor joined the first node");
            Assert.Equal(2, executor.MaxWorkers);
            var tasks = Enumerable.Range(0, 3).Select(i => executor.Submit(ClusterWork.StartAndBlock, blocker.Directory, $"t{i}")).ToArray();
            blocker.WaitStarted(2);
            Assert.Equal(2, ClusterWork.Started(blocker.Directory));

            await cluster.Cluster.StartAdditionalSiloAsync().WaitAsync(Bounded.Limit);
            blocker.WaitStarted(3);

            Assert.Equal(2, executor.NodeNames.Count);
            Assert.Equal(4, executor.MaxWorkers);
            blocker.Release();
            await Bounded.Within(Task.WhenAll(tasks));
            await Bounded.Within(executor.ShutdownAsync());
        });
    }

    /// <summary>
    /// With retries on, starts two blocked tasks (one per node of <paramref name="cluster"/>'s two), kills the second
    /// node, releases them, and returns both results once the lost one has run again on the survivor.
    /// </summary>
    private static async Task<TResult[]> RunTwoAndKillOneNodeAsync<TResult>(InProcessCluster cluster, Blocker blocker, Func<ClusterExecutor, int, Task<TResult>> submit)
    {
        var executor = new ClusterExecutor(cluster.Client, maxWorkers: 2, options: new ClusterExecutorOptions { RetryOnNodeLoss = true });
        Bounded.Until(() => executor.NodeNames.Count == 2, "the executor joined both nodes");
        Task<TResult>[] tasks = [submit(executor, 0), submit(executor, 1)];
        blocker.WaitStarted(2);

        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos[1]).WaitAsync(Bounded.Limit);
        Bounded.Until(() => executor.NodeNames.Count == 1, "the killed node was dropped");
        blocker.Release();
        TResult[] results = await Bounded.Within(Task.WhenAll(tasks));
        await Bounded.Within(executor.ShutdownAsync());
        return results;
    }
}
