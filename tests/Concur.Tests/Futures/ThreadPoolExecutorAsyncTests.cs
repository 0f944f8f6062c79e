using Concur.Tests.Support;

namespace Concur.Tests.Futures;

/// <summary>
/// Async functions on <see cref="ThreadPoolExecutor"/> beyond the executor contract: which thread runs them, and the
/// submitter's token observed inside them.
/// </summary>
public sealed class ThreadPoolExecutorAsyncTests
{
    [Fact]
    public async Task Submit_AsyncFunction_StartsOnAWorkerThread()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 1, threadNamePrefix: "async-test");
        string? startedOn = await Bounded.Within(executor.Submit(async () =>
        {
            string? name = Thread.CurrentThread.Name;
            await Task.Yield();
            return name;
        }));
        Assert.Equal("async-test_0", startedOn);
    }

    [Fact]
    public async Task Submit_AsyncFunctionObservesSubmittersToken_TaskCancelled()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 1);
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken token = cts.Token;
        Task<int> task = executor.Submit(async () =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return 1;
        }, token);
        await Bounded.Within(started.Task);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(task));
        Assert.True(task.IsCanceled);
    }

    [Fact]
    public async Task Submit_AsyncFunctionsOnOneWorker_RunOneAtATime()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 1);
        int inFlight = 0;
        int most = 0;
        var tasks = Enumerable.Range(0, 8).Select(i => executor.Submit(async () =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await Task.Delay(2);
            Interlocked.Decrement(ref inFlight);
            return i;
        })).ToArray();
        Assert.Equal(Enumerable.Range(0, 8), await Bounded.Within(Task.WhenAll(tasks)));
        Assert.Equal(1, most);
    }

    [Fact]
    public async Task Submit_AsyncFunctionReturnsNullTask_FaultsSayingSo()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 1);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Bounded.Within(executor.Submit(() => (Task<int>)null!)));
        Assert.Contains("returned null instead of a task", e.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }
}
