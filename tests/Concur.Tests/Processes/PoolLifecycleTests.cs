using Concur.Tests.Support;

namespace Concur.Tests.Processes;

public sealed class PoolLifecycleTests
{
    private static int initialized;

    private static int Square(int x) => x * x;

    private static int Pid() => Environment.ProcessId;

    private static void Initialize() => initialized = 42;

    private static int ReadInitialized() => initialized;

    private static void BadInitializer() => throw new InvalidOperationException("no database");

    [Fact]
    public void Constructor_NotPositiveArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPoolExecutor(maxTasksPerChild: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPoolExecutor(maxTasksPerChild: -1));
        Assert.Equal("processes", Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPool(processes: 0)).ParamName);
        Assert.Equal("maxTasksPerChild", Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPool(maxTasksPerChild: 0)).ParamName);
    }

    [Fact]
    public void Constructor_DefaultWorkers_IsProcessorCount()
    {
        using var pool = new ProcessPoolExecutor();
        Assert.Equal(Environment.ProcessorCount, pool.MaxWorkers);
    }

    [Fact]
    public async Task Initializer_RunsOncePerWorkerBeforeTasks()
    {
        await using var pool = new ProcessPoolExecutor(maxWorkers: 1, initializer: Initialize);
        Assert.Equal(42, await Bounded.Within(pool.Submit(ReadInitialized)));
        Assert.Equal(0, initialized);
    }

    [Fact]
    public async Task Initializer_Throws_PoolBrokenAndTasksFail()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1, initializer: BadInitializer);
        var e = await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(pool.Submit(Square, 2)));
        Assert.Contains("no database", e.Message, StringComparison.Ordinal);
        Assert.Equal("System.InvalidOperationException", Assert.IsType<RemoteException>(e.InnerException).RemoteTypeName);
        Assert.True(pool.IsBroken);
        await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(pool.Submit(Square, 3)));
        await Bounded.Within(pool.ShutdownAsync());
    }

    [Fact]
    public async Task WorkersCannotStart_PoolBrokenWithTheHostCommandInTheMessage()
    {
        // A startup hook that does not exist makes every worker's runtime fail before Main.
        await using var pool = new ProcessPoolExecutor(1, new Dictionary<string, string> { ["DOTNET_STARTUP_HOOKS"] = "/nonexistent/concur-no-such-hook.dll" });
        var e = await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(pool.Submit(Square, 2)));
        Assert.Contains("exit before they start", e.Message, StringComparison.Ordinal);
        Assert.Contains("standard error", e.Message, StringComparison.Ordinal);
        Assert.Contains("Concur.dll", e.Message, StringComparison.Ordinal);
        Assert.True(pool.IsBroken);
        await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(pool.Submit(Square, 3)));
    }

    [Fact]
    public async Task MaxTasksPerChild_WorkersAreReplaced()
    {
        await using var pool = new ProcessPoolExecutor(maxWorkers: 1, maxTasksPerChild: 2);
        var pids = new List<int>();
        for (int i = 0; i < 6; i++)
        {
            pids.Add(await Bounded.Within(pool.Submit(Pid)));
        }
        Assert.Equal(3, pids.Distinct().Count());
        Assert.Equal(pids[0], pids[1]);
        Assert.NotEqual(pids[1], pids[2]);
    }

    [Fact]
    public async Task Shutdown_ThenSubmit_Throws()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        pool.Shutdown();
        Assert.True(pool.IsShutdown);
        var e = Assert.Throws<InvalidOperationException>(() => { _ = pool.Submit(Square, 1); });
        Assert.Contains("shut down", e.Message, StringComparison.Ordinal);
        Assert.Contains("create a new pool", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => pool.Map(Square, new[] { 1 }));
        pool.Shutdown(); // Harmless twice.
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Shutdown_Wait_WaitsForRunningWorkAndWorkersExit()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new Gate();
        string dir = gate.Directory;
        Task<int> running = pool.Submit(Gate.WaitInWorker, dir);
        gate.WaitStarted();
        int pid = int.Parse(File.ReadAllText(gate.StartedPath), System.Globalization.CultureInfo.InvariantCulture);
        Task shutdown = Task.Run(() => pool.Shutdown(wait: true));
        Assert.False(running.IsCompleted);
        gate.Open();
        await Bounded.Within(shutdown);
        Assert.True(running.IsCompletedSuccessfully);
        Assert.Empty(pool.WorkerProcessIds);
        Bounded.Until(() => !Processes.IsAlive(pid), "the worker exited");
    }

    [Fact]
    public async Task Shutdown_CancelPending_CancelsQueuedAndFinishesRunning()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new Gate();
        string dir = gate.Directory;
        Task<int> running = pool.Submit(Gate.WaitInWorker, dir);
        gate.WaitStarted();
        Task<int>[] queued = Enumerable.Range(0, 5).Select(i => pool.Submit(Square, i)).ToArray();
        pool.Shutdown(wait: false, cancelPending: true);
        gate.Open();
        await Bounded.Within(running);
        await Bounded.Within(pool.ShutdownAsync());
        // Nothing waits in a busy worker's pipe: every task not started is cancelled.
        Assert.All(queued, t => Assert.True(t.IsCanceled));
    }

    [Fact]
    public async Task Shutdown_NoCancel_QueuedWorkStillRuns()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Task<int>[] queued = Enumerable.Range(0, 20).Select(i => pool.Submit(Square, i)).ToArray();
        await Bounded.Within(pool.ShutdownAsync());
        Assert.All(queued, t => Assert.True(t.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task Dispose_LeavesNoWorkerProcessesOrTempFiles()
    {
        int[] pids;
        await using (var pool = new ProcessPoolExecutor(maxWorkers: 2))
        {
            await Bounded.Within(Task.WhenAll(pool.Submit(Pid), pool.Submit(Pid)));
            pids = pool.WorkerProcessIds.ToArray();
            Assert.Equal(2, pids.Length);
        }
        Bounded.Until(() => pids.All(p => !Processes.IsAlive(p)), "every worker exited");
        AssertNoTempFilesOf(pids);
    }

    [Fact]
    public async Task KilledWorker_LeavesNoTempFiles()
    {
        await using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new Gate();
        string dir = gate.Directory;
        // The one worker's pid, known before the timed task (on a loaded machine the timeout may kill the worker
        // before the task has written anything).
        int killed = await Bounded.Within(pool.Submit(Pid));
        Task<int> task = pool.Submit(Gate.WaitInWorker, dir, TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(task));
        Bounded.Until(() => !Processes.IsAlive(killed), "the killed worker is gone");
        AssertNoTempFilesOf([killed]);
    }

    private static void AssertNoTempFilesOf(int[] pids)
    {
        // The runtime's per-process diagnostics socket and debugger pipes are named after the pid; pipes Concur uses
        // are anonymous, so nothing else could be left.
        // Match the pid's own position (dotnet-diagnostic-<pid>-<key>-socket, clr-debug-pipe-<pid>-<key>-in): the
        // temp directory is shared, and another process's <key> may happen to equal a worker's pid.
        string[] names = Directory.GetFileSystemEntries(Path.GetTempPath()).Select(e => Path.GetFileName(e)).ToArray();
        foreach (int pid in pids)
        {
            string id = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.DoesNotContain(names, n => n.StartsWith($"dotnet-diagnostic-{id}-", StringComparison.Ordinal) ||
                                              n.StartsWith($"clr-debug-pipe-{id}-", StringComparison.Ordinal));
        }
        Assert.DoesNotContain(names, n => n.StartsWith("CoreFxPipe_", StringComparison.Ordinal));
    }
}
