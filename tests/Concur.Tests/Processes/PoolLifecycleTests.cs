using Concur.Tests.Support;

namespace Concur.Tests.Processes;

public sealed class PoolLifecycleTests
{
    private static int s_initialized;

    private static int Square(int x) => x * x;

    private static int Pid() => Environment.ProcessId;

    private static void Initialize() => s_initialized = 42;

    private static int ReadInitialized() => s_initialized;

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
        Assert.Equal(0, s_initialized);
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
