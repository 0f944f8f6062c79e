using System.Diagnostics;
using Concur.Cluster.Internal;
using Concur.Tests.Support;

namespace Concur.Cluster.Tests;

/// <summary>
/// The production path: node processes that keep their membership in a real redis-server (<c>concur node --cluster
/// redis://...</c>), an executor that finds them there, a node SIGKILLed mid-task, a node that joins mid-run.
/// </summary>
public sealed class RedisClusterTests
{
    [RedisFact]
    public async Task RedisMembership_ExecutorFindsNodes_SurvivesAKilledNode_AndUsesAJoiningOne()
    {
        string redis = RedisFactAttribute.Require();
        await using var cluster = await LocalCluster.StartAsync(2, workersPerNode: 1, redis).WaitAsync(TimeSpan.FromSeconds(120));
        using var blocker = new Blocker();
        var executor = new ClusterExecutor(options: new ClusterExecutorOptions { Redis = redis, ClusterId = cluster.ClusterId, ServiceId = cluster.ClusterId });
        try
        {
            Assert.Equal(49, await Bounded.Within(executor.Submit(static (int x) => x * x, 7)));
            Bounded.Until(() => executor.NodeNames.Count == 2, "the executor found both nodes in Redis");
            var a = executor.Submit(ClusterWork.StartAndBlock, blocker.Directory, "a");
            var b = executor.Submit(ClusterWork.StartAndBlock, blocker.Directory, "b");
            blocker.WaitStarted(2);
            var queued = executor.Submit(ClusterWork.StartAndBlock, blocker.Directory, "queued");

            var victim = cluster.Nodes[1];
            var clock = Stopwatch.StartNew();
            victim.Process.Kill();
            var first = await Bounded.Within(Task.WhenAny(a, b));
            var noticed = clock.Elapsed;
            var lost = await Assert.ThrowsAsync<NodeLostException>(() => first);
            Assert.Equal(victim.Name, lost.NodeName);
            Assert.True(noticed < TimeSpan.FromSeconds(5), $"the loss was noticed after {noticed.TotalSeconds:0.0} s");

            // A node that joins mid-run takes the queued task (the survivor is still busy).
            var joined = await cluster.AddNodeAsync().WaitAsync(TimeSpan.FromSeconds(120));
            blocker.WaitStarted(3);
            blocker.Release();
            Assert.Equal(joined.Process.Id, await Bounded.Within(queued));
            var survivor = first == a ? b : a;
            Assert.Equal(cluster.Nodes[0].Process.Id, await Bounded.Within(survivor));
        }
        finally
        {
            await Bounded.Within(executor.ShutdownAsync());
        }
    }
}
