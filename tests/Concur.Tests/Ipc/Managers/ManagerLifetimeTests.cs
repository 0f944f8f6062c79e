using System.Diagnostics;
using Concur.Tests.Support;
using Xunit.Abstractions;

namespace Concur.Tests.Ipc.Managers;

/// <summary>
/// The manager's process: gone when the owner disposes it or is killed (no orphan), and a killed manager makes every
/// proxy throw a clear exception instead of hanging; many clients at once count exactly.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class ManagerLifetimeTests(ITestOutputHelper output)
{
    [Fact]
    public void Dispose_EndsTheManagersProcess_AndProxiesThenSayItIsGone()
    {
        var manager = ProcessManager.Start();
        int pid = manager.ProcessId!.Value;
        var dict = manager.Dict<string, int>();
        dict["a"] = 1;
        manager.Dispose();
        Assert.False(IsRunning(pid), $"the manager's process {pid} is still running after Dispose");
        var gone = Assert.Throws<IOException>(() => dict["a"] = 2);
        Assert.Contains(Concur.Ipc.Internal.Endpoints.Describe(manager.Address), gone.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => manager.Dict<string, int>());
        manager.Dispose(); // twice is fine
    }

    [Fact]
    public async Task ManagerKilled_MidUse_ProxiesThrowNamingTheAddress_NoHang()
    {
        using var manager = ProcessManager.Start();
        var dict = manager.Dict<string, int>();
        var queue = manager.Queue<int>();
        dict["a"] = 1;
        Task<int> waitingAsync = queue.GetAsync().AsTask(); // pending: its request has been sent and waits in the manager
        Assert.False(waitingAsync.IsCompleted);
        using var aboutToWait = new ManualResetEventSlim();
        Exception? blockedError = null;
        using var blocked = TestThreads.StartOne(() =>
        {
            queue.TryGet(out _, TimeSpan.Zero); // this thread's connection is open
            aboutToWait.Set();
            blockedError = Record.Exception(() => queue.Get());
        }, "blocked-get");
        Assert.True(aboutToWait.Wait(Bounded.Limit));
        Process.GetProcessById(manager.ProcessId!.Value).Kill();
        string address = Concur.Ipc.Internal.Endpoints.Describe(manager.Address);

        var asyncError = await Bounded.Within(Assert.ThrowsAsync<IOException>(() => waitingAsync));
        Assert.Contains(address, asyncError.Message, StringComparison.Ordinal);
        output.WriteLine(asyncError.Message);
        blocked.Join();
        var waitingError = Assert.IsType<IOException>(blockedError);
        Assert.Contains(address, waitingError.Message, StringComparison.Ordinal);
        var error = await Bounded.Within(Task.Run(() => Record.Exception(() => dict["a"])));
        Assert.IsType<IOException>(error);
        Assert.Contains(address, error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnerKilled_TheManagersProcessEnds()
    {
        using var report = new ProcessQueue<int>();
        using var never = new ProcessEvent();
        var owner = new ChildProcess(() =>
        {
            var manager = ProcessManager.Start();
            report.Put(manager.ProcessId!.Value);
            never.Wait(Bounded.Limit + Bounded.Limit); // killed before this ends
            GC.KeepAlive(manager);
        });
        owner.Start();
        try
        {
            int server = report.Get(Bounded.Limit);
            Assert.True(IsRunning(server));
            owner.Kill();
            Assert.True(owner.Join(Bounded.Limit));
            Bounded.Until(() => !IsRunning(server), $"the manager's process {server} has ended after its owner was killed");
        }
        finally
        {
            if (owner.IsAlive)
            {
                owner.Kill();
            }
        }
    }

    [Fact]
    public async Task ManyClients_AtOnce_CountExactly()
    {
        using var manager = ProcessManager.Start();
        var counts = manager.Dict<string, long>();
        var list = manager.List<int>();
        const int PerThread = 300;
        const int Threads = 6;
        const int Children = 2;
        var children = Enumerable.Range(0, Children).Select(c => new ChildProcess(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                counts.Increment("total");
                counts.AddOrUpdate("cas", 1, v => v + 1);
            }
            list.Add(c);
        })).ToList();
        children.ForEach(c => c.Start());
        var threads = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                counts.Increment("total");
                counts.AddOrUpdate("cas", 1, v => v + 1);
                counts[$"t{t}"] = i;
            }
        }, TaskCreationOptions.LongRunning));
        await Bounded.Within(Task.WhenAll(threads));
        foreach (var child in children)
        {
            Assert.True(child.Join(Bounded.Limit));
            Assert.Equal(0, child.ExitCode);
        }
        Assert.Equal((Threads + Children) * PerThread, counts["total"]);
        Assert.Equal((Threads + Children) * PerThread, counts["cas"]);
        Assert.Equal(PerThread - 1, counts["t0"]);
        Assert.Equal(Children, list.Count);
    }

    [Fact]
    public void AClientKilledWhileWaitingOnAQueue_TakesNoItem()
    {
        using var manager = ProcessManager.Start();
        var queue = manager.Queue<int>();
        using var connected = new ProcessEvent();
        var waiter = new ChildProcess(() =>
        {
            queue.TryGet(out _, TimeSpan.Zero); // connected to the manager
            connected.Set();
            queue.Get();
        });
        waiter.Start();
        try
        {
            Assert.True(connected.Wait(Bounded.Limit));
            waiter.Kill(); // while it waits in the manager (or just before its get arrives: no item is taken either way)
            Assert.True(waiter.Join(Bounded.Limit));
            queue.Put(1);
            Assert.Equal(1, queue.Get(Bounded.Limit));
        }
        finally
        {
            if (waiter.IsAlive)
            {
                waiter.Kill();
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z'; // a zombie has ended; only its parent has not reaped it
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }
}
