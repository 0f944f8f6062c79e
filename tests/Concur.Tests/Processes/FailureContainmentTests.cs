using System.Diagnostics;
using Concur.Tests.Support;

namespace Concur.Tests.Processes;

public sealed class FailureContainmentTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private readonly ProcessPoolExecutor _pool = fixture.Pool;

    private static int Square(int x) => x * x;

    private static int Pid() => Environment.ProcessId;

    private static int FailFast(int x)
    {
        Environment.FailFast("Concur test: deliberate FailFast");
        return x;
    }

    private static int Recurse(int n) => n < 0 ? 0 : Recurse(n + 1) + 1;

    private static int KillSelf(int x)
    {
        Process.GetCurrentProcess().Kill();
        // Runs in the worker, which the kill above ends; the sleep only keeps it from returning a result first.
        Thread.Sleep(Timeout.Infinite);
        return x;
    }

    private static int ExitWith(int code)
    {
        Environment.Exit(code);
        return code;
    }

    private static int Allocate(int megabytes)
    {
        var hold = new List<byte[]>();
        for (int i = 0; i < megabytes; i++)
        {
            var block = new byte[1 << 20];
            block[0] = 1;
            hold.Add(block);
        }
        return hold.Count;
    }

    private async Task AssertPoolStillWorks()
    {
        Assert.Equal(49, await Bounded.Within(_pool.Submit(Square, 7)));
    }

    [Fact]
    public async Task Submit_WorkerFailFast_OnlyThatTaskFailsWithSignal()
    {
        var e = await Assert.ThrowsAsync<WorkerCrashedException>(() => Bounded.Within(_pool.Submit(FailFast, 1)));
        Assert.Equal(6, e.Signal);
        Assert.Null(e.ExitCode);
        Assert.NotEqual(0, e.ProcessId);
        Assert.Contains(nameof(FailFast), e.TaskDescription, StringComparison.Ordinal);
        Assert.Contains(e.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        await AssertPoolStillWorks();
    }

    [Fact]
    public async Task Submit_StackOverflow_OnlyThatTaskFails()
    {
        var e = await Assert.ThrowsAsync<WorkerCrashedException>(() => Bounded.Within(_pool.Submit(Recurse, 0)));
        Assert.NotNull(e.Signal);
        await AssertPoolStillWorks();
    }

    [Fact]
    public async Task Submit_WorkerSigkilled_ReportsSignal9()
    {
        var e = await Assert.ThrowsAsync<WorkerCrashedException>(() => Bounded.Within(_pool.Submit(KillSelf, 1)));
        Assert.Equal(9, e.Signal);
        await AssertPoolStillWorks();
    }

    [Fact]
    public async Task Submit_WorkerExits_ReportsExitCode()
    {
        var e = await Assert.ThrowsAsync<WorkerCrashedException>(() => Bounded.Within(_pool.Submit(ExitWith, 3)));
        Assert.Equal(3, e.ExitCode);
        Assert.Null(e.Signal);
        await AssertPoolStillWorks();
    }

    [Fact]
    public async Task Submit_CrashAmongManyTasks_EveryOtherTaskCompletes()
    {
        Task<int>[] before = Enumerable.Range(0, 50).Select(i => _pool.Submit(Square, i)).ToArray();
        Task<int> crash = _pool.Submit(FailFast, 0);
        Task<int>[] after = Enumerable.Range(50, 50).Select(i => _pool.Submit(Square, i)).ToArray();
        await Assert.ThrowsAsync<WorkerCrashedException>(() => Bounded.Within(crash));
        int[] results = await Bounded.Within(Task.WhenAll(before.Concat(after)));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * i), results);
    }

    [Fact]
    public async Task Submit_OutOfMemory_ContainedAndPoolGoesOn()
    {
        await using var small = new ProcessPoolExecutor(1, new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x8000000" });
        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => Bounded.Within(small.Submit(Allocate, 2048)));
        Assert.True(
            e is WorkerCrashedException || e is RemoteException { RemoteTypeName: "System.OutOfMemoryException" },
            $"Expected a contained out-of-memory failure, got {e}");
        Assert.Equal(16, await Bounded.Within(small.Submit(Square, 4)));
    }

    [Fact]
    public async Task Submit_RunsPastTimeout_TimeoutExceptionAndWorkerReplaced()
    {
        await using var single = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new Gate();
        string dir = gate.Directory;
        // The one worker's pid, known before the timed task (on a loaded machine the timeout may kill the worker
        // before the task has written anything).
        int killed = await Bounded.Within(single.Submit(Pid));
        var watch = Stopwatch.StartNew();
        Task<int> task = single.Submit(Gate.WaitInWorker, dir, TimeSpan.FromMilliseconds(300));
        var e = await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(task));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"timed out after only {watch.Elapsed}");
        Bounded.Until(() => !Processes.IsAlive(killed), "the timed-out worker is gone");
        Assert.Contains("timeout", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(killed.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        int replacement = await Bounded.Within(single.Submit(Pid));
        Assert.NotEqual(killed, replacement);
    }

    [Fact]
    public async Task Submit_FinishesWithinTimeout_ReturnsResult()
    {
        Assert.Equal(9, await Bounded.Within(_pool.Submit(Square, 3, TimeSpan.FromSeconds(20))));
    }

    [Fact]
    public async Task Submit_CancelWhileRunning_CancelledAndWorkerKilled()
    {
        using var gate = new Gate();
        string dir = gate.Directory;
        using var cts = new CancellationTokenSource();
        Task<int> task = _pool.Submit(Gate.WaitInWorker, dir, cts.Token);
        gate.WaitStarted();
        int running = int.Parse(File.ReadAllText(gate.StartedPath), System.Globalization.CultureInfo.InvariantCulture);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(task));
        Assert.True(task.IsCanceled);
        Bounded.Until(() => !Processes.IsAlive(running), "the cancelled task's worker is gone");
        await AssertPoolStillWorks();
    }

    [Fact]
    public async Task Submit_CancelWhileQueued_NeverRuns()
    {
        await using var single = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new Gate();
        string dir = gate.Directory;
        string marker = gate.Marker("queued-ran");
        using var cts = new CancellationTokenSource();
        Task<int> blocker = single.Submit(Gate.WaitInWorker, dir);
        gate.WaitStarted();
        Task queued = single.Submit(() => File.WriteAllText(marker, "ran"), cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(queued));
        gate.Open();
        await Bounded.Within(blocker);
        Assert.Equal(4, await Bounded.Within(single.Submit(Square, 2)));
        Assert.False(File.Exists(marker));
    }
}
