using System.Diagnostics;
using Concur.Tests.Support;

namespace Concur.Cluster.Tests;

/// <summary>
/// The embedded default: <c>new ClusterExecutor()</c> starts real node processes on this machine (development
/// clustering on loopback); the test SIGKILLs one mid-task.
/// </summary>
public sealed class EmbeddedClusterTests
{
    [Fact]
    public async Task EmbeddedCluster_SpreadsOverNodeProcesses_AndSurvivesANodeKilledMidTask()
    {
        using var blocker = new Blocker();
        var clock = Stopwatch.StartNew();
        int[] pids = [];
        var executor = new ClusterExecutor(options: new ClusterExecutorOptions { LocalNodes = 2, WorkersPerLocalNode = 1 });
        try
        {
            var first49 = executor.Submit(static (int x) => x * x, 7);
            Bounded.Until(() => executor.LocalCluster is not null, "connected");
            Console.WriteLine($"embedded cluster: connected after {clock.Elapsed.TotalSeconds:0.0} s");
            Bounded.Until(() => executor.NodeNames.Count > 0, "joined");
            Console.WriteLine($"embedded cluster: joined after {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal(49, await Bounded.Within(first49));
            Console.WriteLine($"embedded cluster: first result after {clock.Elapsed.TotalSeconds:0.0} s");
            Bounded.Until(() => executor.NodeNames.Count == 2, "the executor joined both node processes");
            Assert.Equal(2, executor.MaxWorkers);
            var nodes = executor.LocalCluster!.Nodes;
            pids = nodes.Select(n => n.Process.Id).ToArray();
            var a = executor.Submit(ClusterWork.StartAndBlock, blocker.Directory, "a");
            var b = executor.Submit(ClusterWork.StartAndBlock, blocker.Directory, "b");
            blocker.WaitStarted(2);
            var queued = executor.Submit(ClusterWork.ParentProcessId);

            var victim = nodes[1];
            clock.Restart();
            victim.Process.Kill(); // SIGKILL
            var first = await Bounded.Within(Task.WhenAny(a, b));
            var noticed = clock.Elapsed;

            var lost = await Assert.ThrowsAsync<NodeLostException>(() => first);
            Assert.Equal(victim.Name, lost.NodeName);
            Assert.True(noticed < TimeSpan.FromSeconds(5), $"the loss was noticed after {noticed.TotalSeconds:0.0} s");
            blocker.Release();
            var survivor = first == a ? b : a;
            // Each node ran one of the two tasks: the survivor's ran on the other node process.
            Assert.Equal(nodes[0].Process.Id, await Bounded.Within(survivor));
            Assert.Equal(nodes[0].Process.Id, await Bounded.Within(queued));
        }
        finally
        {
            await Bounded.Within(executor.ShutdownAsync());
        }
        Console.WriteLine($"embedded cluster: test took {clock.Elapsed.TotalSeconds:0.0} s after the kill");
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"node process {pid} still runs after shutdown"));
    }
}
