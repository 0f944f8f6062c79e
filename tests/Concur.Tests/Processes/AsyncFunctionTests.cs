using System.Diagnostics;
using Concur.Tests.Support;

namespace Concur.Tests.Processes;

/// <summary>
/// Async functions on the process path beyond the executor contract: <see cref="ProcessPool.ApplyAsync{TResult}(Func{Task{TResult}}, Action{TResult}?, Action{Exception}?)"/>,
/// the hard timeout and cancellation of an async function that never completes, and the refusals where a task would
/// have to travel as a value.
/// </summary>
public sealed class AsyncFunctionTests(ProcessPoolFixture fixture) : IClassFixture<ProcessPoolFixture>
{
    private readonly ProcessPool _pool = fixture.Pool;

    private static async Task<int> SquareAsync(int x)
    {
        await Task.Delay(1);
        return x * x;
    }

    private static async Task<int> PidAsync()
    {
        await Task.Yield();
        return Environment.ProcessId;
    }

    private static int Pid() => Environment.ProcessId;

    private static async Task<int> NeverCompletes()
    {
        await Task.Yield();
        await new TaskCompletionSource<int>().Task; // Nothing ever completes it.
        return 0;
    }

    private static Task<TResult> SubmitThroughSyncOverload<TResult>(IExecutor executor, Func<TResult> function) =>
        executor.Submit(function);

    // ---------------------------------------------------------------- ProcessPool.ApplyAsync / Apply

    [Fact]
    public async Task ApplyAsync_AsyncLambda_ReturnsAwaitedResult()
    {
        int r = await Bounded.Within(_pool.ApplyAsync(async () => { await Task.Delay(10); return 42; }));
        Assert.Equal(42, r);
    }

    [Fact]
    public async Task ApplyAsync_AsyncFunctionWithArgument_RunsInWorkerAndCallsBack()
    {
        int seen = 0;
        Assert.Equal(25, await Bounded.Within(_pool.ApplyAsync(SquareAsync, 5, callback: r => seen = r)));
        Assert.Equal(25, seen);
        Assert.NotEqual(Environment.ProcessId, await Bounded.Within(_pool.ApplyAsync(PidAsync)));
    }

    [Fact]
    public async Task ApplyAsync_AsyncLambdaCapturesValueUsedAfterAwait_ValueTravels()
    {
        int offset = 7;
        string label = "r";
        string result = await Bounded.Within(_pool.ApplyAsync(async x =>
        {
            await Task.Yield();
            return $"{label}{x + offset}";
        }, 3));
        Assert.Equal("r10", result);
    }

    [Fact]
    public async Task ApplyAsync_AsyncFunctionThrows_RemoteExceptionAndErrorCallback()
    {
        Exception? seen = null;
        Task<int> task = _pool.ApplyAsync(async () =>
        {
            await Task.Yield();
            throw new ArgumentException("async apply failed");
#pragma warning disable CS0162 // Unreachable: gives the lambda its result type.
            return 0;
#pragma warning restore CS0162
        }, errorCallback: e => seen = e);
        var e = await Assert.ThrowsAsync<RemoteException>(() => Bounded.Within(task));
        Assert.Equal(typeof(ArgumentException).FullName, e.RemoteTypeName);
        Assert.Equal("async apply failed", e.Message);
        Assert.Same(e, seen);
    }

    [Fact]
    public void Apply_AsyncFunctions_ReturnAwaitedResults()
    {
        Assert.Equal(81, _pool.Apply(SquareAsync, 9));
        Assert.Equal(3, _pool.Apply(async () => { await Task.Delay(1); return 3; }));
    }

    // ---------------------------------------------------------------- hard timeout and cancellation

    [Fact]
    public async Task Submit_AsyncFunctionNeverCompletesWithTimeout_TimeoutExceptionAndWorkerReplaced()
    {
        await using var single = new ProcessPoolExecutor(maxWorkers: 1);
        int killed = await Bounded.Within(single.Submit(Pid));
        var watch = Stopwatch.StartNew();
        Task<int> task = single.Submit(NeverCompletes, TimeSpan.FromMilliseconds(300));
        var e = await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(task));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"timed out after only {watch.Elapsed}");
        Assert.Contains("timeout", e.Message, StringComparison.OrdinalIgnoreCase);
        Bounded.Until(() => !Processes.IsAlive(killed), "the timed-out worker is gone");
        Assert.NotEqual(killed, await Bounded.Within(single.Submit(Pid)));
    }

    [Fact]
    public async Task Submit_AsyncFunctionsWithTimeout_EveryShapeTimesOut()
    {
        await using var single = new ProcessPoolExecutor(maxWorkers: 1);
        TimeSpan limit = TimeSpan.FromMilliseconds(200);
        Task withArgument = single.Submit(async x => { await new TaskCompletionSource().Task; return x; }, 1, limit);
        Task withoutResult = single.Submit(async () => await new TaskCompletionSource().Task, limit);
        await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(withArgument));
        await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(withoutResult));
        Assert.Equal(16, await Bounded.Within(single.Submit(SquareAsync, 4, TimeSpan.FromSeconds(20))));
    }

    [Fact]
    public async Task Submit_AsyncFunctionNeverCompletesCancelled_CancelledAndWorkerKilled()
    {
        await using var single = new ProcessPoolExecutor(maxWorkers: 1);
        int running = await Bounded.Within(single.Submit(Pid));
        using var cts = new CancellationTokenSource();
        using var gate = new Gate();
        string started = gate.StartedPath;
        Task<int> task = single.Submit(async () =>
        {
            File.WriteAllText(started, "started");
            return await NeverCompletes();
        }, cts.Token);
        gate.WaitStarted();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(task));
        Assert.True(task.IsCanceled);
        Bounded.Until(() => !Processes.IsAlive(running), "the cancelled task's worker is gone");
        Assert.Equal(9, await Bounded.Within(single.Submit(SquareAsync, 3)));
    }

    // ---------------------------------------------------------------- a task never travels as a value

    [Fact]
    public void Map_AsyncFunction_RefusedPointingToSubmit()
    {
        var e = Assert.Throws<ArgumentException>(() => _pool.Map(SquareAsync, [1, 2, 3]));
        Assert.Contains("Task<int>", e.Message, StringComparison.Ordinal);
        Assert.Contains("Submit(Func<T, Task<TResult>>, T)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => _pool.Imap(SquareAsync, [1, 2, 3]));
    }

    [Fact]
    public void Submit_TaskResultThroughSyncOverload_RefusedPointingToAsyncOverloads()
    {
        // In-process, generic code may get a task as a value; across processes it is refused at Submit.
        using var threads = new ThreadPoolExecutor(maxWorkers: 1);
        Task<Task<int>> taskAsValue = SubmitThroughSyncOverload(threads, PidAsync);
        Assert.Equal(Environment.ProcessId, Bounded.Result(Bounded.Result(taskAsValue)));

        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var e = Assert.Throws<ArgumentException>(() => { _ = SubmitThroughSyncOverload(executor, PidAsync); });
        Assert.Equal("function", e.ParamName);
        Assert.Contains("a task cannot travel between processes as a value", e.Message, StringComparison.Ordinal);
        Assert.Contains("Submit(Func<Task<TResult>>)", e.Message, StringComparison.Ordinal);

        var map = Assert.Throws<ArgumentException>(() => executor.Map(async x => { await Task.Yield(); return x; }, [1]));
        Assert.Contains("Map, Imap, Starmap", map.Message, StringComparison.Ordinal);
        var valueTask = Assert.Throws<ArgumentException>(() => { _ = executor.Submit(() => ValueTask.FromResult(1)); });
        Assert.Contains("ValueTask<int>", valueTask.Message, StringComparison.Ordinal);
        var twoArguments = Assert.Throws<ArgumentException>(() => { _ = executor.Submit(async (int a, int b) => { await Task.Yield(); return a + b; }, 1, 2); });
        Assert.Contains("two-argument Submit", twoArguments.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_TaskAsArgument_RefusedPointingToAsyncFunctions()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var e = Assert.Throws<ArgumentException>(() => { _ = executor.Submit(t => t.Id, Task.CompletedTask); });
        Assert.Contains("a task stands for work running in this process", e.Message, StringComparison.Ordinal);
        Assert.Contains("Func<Task<TResult>>", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_AsyncVoidAction_RefusedSayingNothingCanWaitForIt()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        Action asyncVoid = async () => await Task.Yield();
        var e = Assert.Throws<ArgumentException>(() => { _ = executor.Submit(asyncVoid); });
        Assert.Equal("action", e.ParamName);
        Assert.Contains("async void", e.Message, StringComparison.Ordinal);
        Assert.Contains("Func<Task>", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ChildProcess(asyncVoid));
        var run = Assert.Throws<ArgumentException>(() => new AsyncVoidChild().Start());
        Assert.Contains("async void", run.Message, StringComparison.Ordinal);
    }

    private sealed class AsyncVoidChild : ChildProcess
    {
        protected override async void Run() => await Task.Yield();
    }
}
