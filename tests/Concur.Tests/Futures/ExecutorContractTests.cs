using System.Diagnostics;
using Concur.Tests.Support;

namespace Concur.Tests.Futures;

/// <summary>
/// The behaviour every <see cref="IExecutor"/> shares, run against each implementation (CPython's
/// <c>create_executor_tests</c>). Work is static methods or lambdas capturing strings and numbers only, and the test
/// talks to running work only through files (<see cref="Gate"/>), so the suite also runs against a process pool.
/// </summary>
public abstract class ExecutorContractTests
{
    /// <summary>Creates the executor under test.</summary>
    protected abstract IExecutor CreateExecutor(int maxWorkers);

    /// <summary>
    /// Creates the executor under test with an initializer run once on each worker before its first work item
    /// (CPython's <c>initializer</c>). The initializer is a static method, so it travels to worker processes too.
    /// </summary>
    protected abstract IExecutor CreateExecutor(int maxWorkers, Action initializer);

    /// <summary>
    /// Asserts that <paramref name="thrown"/> is the user exception a work item threw. Executors that carry exceptions
    /// across a process boundary may override this to accept their wrapper type.
    /// </summary>
    protected virtual void AssertUserException(Exception thrown, Type expectedType, string expectedMessage)
    {
        Assert.IsType(expectedType, thrown);
        Assert.Equal(expectedMessage, thrown.Message);
    }

    /// <summary>
    /// Asserts that <paramref name="thrown"/> reports an async function whose task was cancelled by a token of its own
    /// (not the submitter's). Executors that carry exceptions across a process boundary may override this.
    /// </summary>
    protected virtual void AssertCancelledInWork(Exception thrown) => Assert.IsAssignableFrom<OperationCanceledException>(thrown);

    // ---------------------------------------------------------------- Submit

    [Fact]
    public async Task Submit_FunctionWithArgument_ReturnsResult()
    {
        using var executor = CreateExecutor(2);
        Assert.Equal(49, await Bounded.Within(executor.Submit(ContractWork.Square, 7)));
    }

    [Fact]
    public async Task Submit_FunctionWithoutArgument_ReturnsResult()
    {
        using var executor = CreateExecutor(2);
        Assert.Equal(42, await Bounded.Within(executor.Submit(ContractWork.FortyTwo)));
    }

    [Fact]
    public async Task Submit_Action_RunsIt()
    {
        using var executor = CreateExecutor(2);
        using var gate = new Gate();
        var path = gate.NewFilePath("action-ran");
        await Bounded.Within(executor.Submit(() => ContractWork.Touch(path)));
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Submit_FunctionThrows_TaskFaultsWithItsException()
    {
        using var executor = CreateExecutor(2);
        var task = executor.Submit(ContractWork.Fail, "boom");
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => Bounded.Within(task));
        Assert.True(task.IsFaulted);
        AssertUserException(thrown, typeof(InvalidOperationException), "boom");
    }

    [Fact]
    public async Task Submit_OneFails_OthersStillSucceed()
    {
        using var executor = CreateExecutor(1);
        var failing = executor.Submit(ContractWork.Fail, "first");
        var fine = executor.Submit(ContractWork.Square, 5);
        await Assert.ThrowsAnyAsync<Exception>(() => Bounded.Within(failing));
        Assert.Equal(25, await Bounded.Within(fine));
    }

    [Fact]
    public async Task Submit_CancelledWhileQueued_TaskCancelledAndWorkNeverRuns()
    {
        using var executor = CreateExecutor(1);
        using var gate = new Gate();
        var marker = gate.NewFilePath("cancelled-item-ran");
        var blocker = executor.Submit(ContractWork.Block, gate.Directory);
        gate.WaitStarted();
        using var cts = new CancellationTokenSource();
        var queued = executor.Submit(ContractWork.Touch, marker, cts.Token);

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(queued));
        Assert.True(queued.IsCanceled);
        gate.Release();
        await Bounded.Within(blocker);
        // The single worker runs items in order: once a later item is done, the cancelled one had its turn.
        Assert.Equal(4, await Bounded.Within(executor.Submit(ContractWork.Square, 2)));
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Submit_TokenCancelledBeforeSubmit_ReturnsCancelledTask()
    {
        using var executor = CreateExecutor(1);
        using var gate = new Gate();
        var marker = gate.NewFilePath("should-not-run");
        var task = executor.Submit(ContractWork.Touch, marker, new CancellationToken(canceled: true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(task));
        Assert.True(task.IsCanceled);
        Assert.Equal(1, await Bounded.Within(executor.Submit(ContractWork.Square, 1)));
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Submit_CancelAfterCompletion_ResultStands()
    {
        using var executor = CreateExecutor(1);
        using var cts = new CancellationTokenSource();
        var task = executor.Submit(ContractWork.Square, 6, cts.Token);
        Assert.Equal(36, await Bounded.Within(task));
        cts.Cancel();
        Assert.True(task.IsCompletedSuccessfully);
    }

    [Fact]
    public void Submit_NullFunction_ThrowsArgumentNullException()
    {
        using var executor = CreateExecutor(1);
        Assert.Throws<ArgumentNullException>(() => { _ = executor.Submit((Func<int>)null!); });
        Assert.Throws<ArgumentNullException>(() => { _ = executor.Submit((Func<int, int>)null!, 1); });
        Assert.Throws<ArgumentNullException>(() => { _ = executor.Submit((Action)null!); });
    }

    /// <summary>
    /// The shutdown refusal comes before the token: submitting to a shut-down executor is a bug that a cancelled token
    /// must not hide (CPython's <c>submit</c> raises <c>RuntimeError</c> after shutdown whatever else is going on).
    /// </summary>
    [Fact]
    public void Submit_AfterShutdownWithCancelledToken_ThrowsInvalidOperationException()
    {
        var executor = CreateExecutor(1);
        executor.Shutdown();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<InvalidOperationException>(() => { _ = executor.Submit(ContractWork.Square, 2, cts.Token); });
        Assert.Throws<InvalidOperationException>(() => { _ = executor.Submit(ContractWork.FortyTwo, cts.Token); });
        Assert.Throws<InvalidOperationException>(() => executor.Map(ContractWork.Square, [1, 2], cancellationToken: cts.Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_MaxWorkersNotPositive_ThrowsNamingIt(int maxWorkers)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CreateExecutor(maxWorkers));
        Assert.Equal("maxWorkers", e.ParamName);
        Assert.Contains("at least 1", e.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- initializer

    [Fact]
    public async Task Initializer_RunsOnTheWorkerBeforeItsFirstWorkItem()
    {
        using var executor = CreateExecutor(1, ContractWork.MarkWorkerInitialized);
        Assert.True(await Bounded.Within(executor.Submit(ContractWork.IsWorkerInitialized)));
    }

    [Fact]
    public async Task Initializer_Throws_EveryWorkItemFaultsWithBrokenExecutor()
    {
        var executor = CreateExecutor(1, ContractWork.FailInitializer);
        var first = await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(executor.Submit(ContractWork.Square, 2)));
        Assert.Contains("initializer", first.Message, StringComparison.Ordinal);
        Assert.NotNull(first.InnerException);
        AssertUserException(first.InnerException!, typeof(InvalidOperationException), ContractWork.InitializerFailure);
        await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(executor.Submit(ContractWork.Square, 3)));
        await Bounded.Within(executor.ShutdownAsync());
    }

    [Fact]
    public void Submit_AfterShutdown_ThrowsInvalidOperationException()
    {
        var executor = CreateExecutor(1);
        executor.Shutdown();
        Assert.True(executor.IsShutdown);
        var ex = Assert.Throws<InvalidOperationException>(() => { _ = executor.Submit(ContractWork.Square, 2); });
        Assert.Contains("shut down", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => { _ = executor.Submit(ContractWork.FortyTwo); });
        Assert.Throws<InvalidOperationException>(() => executor.Map(ContractWork.Square, [1, 2]));
        Assert.Throws<InvalidOperationException>(() => executor.MapUnordered(ContractWork.Square, [1, 2]));
    }

    [Fact]
    public void Submit_AfterDispose_ThrowsInvalidOperationException()
    {
        var executor = CreateExecutor(1);
        executor.Dispose();
        Assert.True(executor.IsShutdown);
        Assert.Throws<InvalidOperationException>(() => { _ = executor.Submit(ContractWork.Square, 2); });
    }

    [Fact]
    public async Task Submit_ManyConcurrentSubmitters_EveryResultCorrect()
    {
        using var executor = CreateExecutor(4);
        const int Submitters = 8;
        const int PerSubmitter = 100;
        var submitters = Enumerable.Range(0, Submitters).Select(s => new Thread(state =>
        {
            var tasks = (Task<int>[])state!;
            for (var i = 0; i < PerSubmitter; i++)
            {
                tasks[i] = executor.Submit(ContractWork.Square, (s * PerSubmitter) + i);
            }
        })).ToArray();
        var results = Enumerable.Range(0, Submitters).Select(_ => new Task<int>[PerSubmitter]).ToArray();
        for (var s = 0; s < Submitters; s++)
        {
            submitters[s].Start(results[s]);
        }
        foreach (var thread in submitters)
        {
            Bounded.Join(thread);
        }
        var all = await Bounded.Within(Task.WhenAll(results.SelectMany(r => r)));
        Assert.Equal(Enumerable.Range(0, Submitters * PerSubmitter).Select(i => i * i), all);
    }

    // ---------------------------------------------------------------- Submit: async functions

    [Fact]
    public async Task Submit_AsyncLambda_ReturnsAwaitedResult()
    {
        using var executor = CreateExecutor(2);
        int r = await Bounded.Within(executor.Submit(async () => { await Task.Delay(10); return 42; }));
        Assert.Equal(42, r);
    }

    [Fact]
    public async Task Submit_AsyncLambdaWithArgument_ReturnsAwaitedResult()
    {
        using var executor = CreateExecutor(2);
        Assert.Equal(49, await Bounded.Within(executor.Submit(async x => { await Task.Delay(1); return x * x; }, 7)));
    }

    [Fact]
    public async Task Submit_AsyncMethodGroups_ReturnAwaitedResults()
    {
        using var executor = CreateExecutor(2);
        Task<int> withArgument = executor.Submit(ContractWork.SquareAsync, 6);
        Task<int> plainTask = executor.Submit(ContractWork.FortyTwoTask);
        Assert.Equal(36, await Bounded.Within(withArgument));
        Assert.Equal(42, await Bounded.Within(plainTask));
    }

    [Fact]
    public async Task Submit_LambdaReturningTask_AwaitedNotSentAsValue()
    {
        using var executor = CreateExecutor(2);
        Assert.Equal(5, await Bounded.Within(executor.Submit(() => Task.FromResult(5))));
    }

    [Fact]
    public async Task Submit_AsyncLambdaWithoutResult_CompletesAfterItsTask()
    {
        using var executor = CreateExecutor(2);
        using var gate = new Gate();
        var path = gate.NewFilePath("after-await");
        Task task = executor.Submit(async () =>
        {
            await Task.Delay(10);
            ContractWork.Touch(path);
        });
        Assert.IsNotAssignableFrom<Task<Task>>(task);
        await Bounded.Within(task);
        Assert.True(File.Exists(path), "the task completed before the code after the await ran");
    }

    [Fact]
    public async Task Submit_AsyncLambdaCapturesValuesUsedOnlyAfterAwait_ValuesTravel()
    {
        using var executor = CreateExecutor(2);
        int offset = 10;
        string prefix = "n=";
        int[] numbers = [1, 2, 3];
        string result = await Bounded.Within(executor.Submit(async x =>
        {
            await Task.Yield();
            return prefix + (x + offset + numbers.Sum());
        }, 5));
        Assert.Equal("n=21", result);
    }

    [Fact]
    public async Task Submit_AsyncLambdaCapturesFromOuterScope_ValuesTravel()
    {
        using var executor = CreateExecutor(2);
        int outer = 100;
        Task<int> task;
        {
            int inner = 5;
            task = executor.Submit(async () =>
            {
                await Task.Delay(1);
                return outer + inner;
            });
        }
        Assert.Equal(105, await Bounded.Within(task));
    }

    [Fact]
    public async Task Submit_AsyncFunctionThrowsAfterAwait_TaskFaultsWithItsException()
    {
        using var executor = CreateExecutor(2);
        var task = executor.Submit(ContractWork.FailAfterAwait, "async boom");
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => Bounded.Within(task));
        Assert.True(task.IsFaulted);
        AssertUserException(thrown, typeof(InvalidOperationException), "async boom");
    }

    [Fact]
    public async Task Submit_FunctionThrowsBeforeReturningTask_TaskFaultsWithItsException()
    {
        using var executor = CreateExecutor(2);
        var task = executor.Submit(ContractWork.FailBeforeTask, "no task");
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => Bounded.Within(task));
        AssertUserException(thrown, typeof(InvalidOperationException), "no task");
    }

    [Fact]
    public async Task Submit_AsyncLambdaWithoutResultThrows_TaskFaultsWithItsException()
    {
        using var executor = CreateExecutor(2);
        Task task = executor.Submit(async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("void boom");
        });
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => Bounded.Within(task));
        Assert.True(task.IsFaulted);
        AssertUserException(thrown, typeof(InvalidOperationException), "void boom");
    }

    [Fact]
    public async Task Submit_AsyncFunctionCancelledByItsOwnToken_TaskFaultsSayingSo()
    {
        using var executor = CreateExecutor(2);
        var task = executor.Submit(ContractWork.CancelledByOwnToken, 1);
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => Bounded.Within(task));
        Assert.True(task.IsFaulted, $"expected a faulted task (the caller did not cancel it), got {task.Status}");
        AssertCancelledInWork(thrown);
    }

    [Fact]
    public async Task Submit_AsyncFunctionAwaiting_HoldsItsWorker()
    {
        using var executor = CreateExecutor(1);
        using var gate = new Gate();
        var marker = gate.NewFilePath("second-ran");
        Task<string> awaiting = executor.Submit(ContractWork.BlockAsync, gate.Directory);
        Task<string> second = executor.Submit(ContractWork.Touch, marker);

        // The function has been suspended in its awaits for a while: a worker freed by the first await would have
        // run the second item by now.
        Bounded.Until(() => File.Exists(gate.NewFilePath(ContractWork.AwaitedFile)), "the async function has awaited many times");
        Assert.False(File.Exists(marker), "the second item ran while the async function was awaiting");
        Assert.False(second.IsCompleted);

        gate.Release();
        Assert.Equal(gate.Directory, await Bounded.Within(awaiting));
        Assert.Equal(marker, await Bounded.Within(second));
    }

    [Fact]
    public async Task Submit_AsyncCancelledWhileQueued_TaskCancelledAndFunctionNeverRuns()
    {
        using var executor = CreateExecutor(1);
        using var gate = new Gate();
        var marker = gate.NewFilePath("async-ran");
        var blocker = executor.Submit(ContractWork.Block, gate.Directory);
        gate.WaitStarted();
        using var cts = new CancellationTokenSource();
        Task queued = executor.Submit(async () =>
        {
            await Task.Yield();
            ContractWork.Touch(marker);
        }, cts.Token);

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(queued));
        Assert.True(queued.IsCanceled);
        gate.Release();
        await Bounded.Within(blocker);
        Assert.Equal(4, await Bounded.Within(executor.Submit(ContractWork.SquareAsync, 2)));
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Submit_NullAsyncFunction_ThrowsArgumentNullException()
    {
        using var executor = CreateExecutor(1);
        Assert.Throws<ArgumentNullException>(() => { _ = executor.Submit((Func<Task<int>>)null!); });
        Assert.Throws<ArgumentNullException>(() => { _ = executor.Submit((Func<int, Task<int>>)null!, 1); });
        Assert.Throws<ArgumentNullException>(() => { _ = executor.Submit((Func<Task>)null!); });
    }

    [Fact]
    public void Submit_AsyncAfterShutdown_ThrowsInvalidOperationException()
    {
        var executor = CreateExecutor(1);
        executor.Shutdown();
        Assert.Throws<InvalidOperationException>(() => { _ = executor.Submit(ContractWork.FortyTwoTask); });
        Assert.Throws<InvalidOperationException>(() => { _ = executor.Submit(ContractWork.SquareAsync, 2); });
        Assert.Throws<InvalidOperationException>(() => { _ = executor.Submit(() => Task.CompletedTask); });
    }

    // ---------------------------------------------------------------- MaxWorkers

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void MaxWorkers_ReportsTheConfiguredCount(int maxWorkers)
    {
        using var executor = CreateExecutor(maxWorkers);
        Assert.Equal(maxWorkers, executor.MaxWorkers);
    }

    [Fact]
    public async Task MaxWorkers_AllWorkersBusy_FurtherWorkWaits()
    {
        using var executor = CreateExecutor(2);
        using var first = new Gate();
        using var second = new Gate();
        using var third = new Gate();
        var tasks = new[]
        {
            executor.Submit(ContractWork.Block, first.Directory),
            executor.Submit(ContractWork.Block, second.Directory),
            executor.Submit(ContractWork.Block, third.Directory),
        };
        first.WaitStarted();
        second.WaitStarted();
        Assert.False(third.HasStarted);
        first.Release();
        third.WaitStarted();
        second.Release();
        third.Release();
        await Bounded.Within(Task.WhenAll(tasks));
    }

    // ---------------------------------------------------------------- Shutdown and disposal

    [Fact]
    public async Task Shutdown_CancelPending_CancelsQueuedWorkAndFinishesRunningWork()
    {
        var executor = CreateExecutor(1);
        using var gate = new Gate();
        var running = executor.Submit(ContractWork.Block, gate.Directory);
        gate.WaitStarted();
        var queued = Enumerable.Range(0, 3).Select(i => executor.Submit(ContractWork.Square, i)).ToArray();

        executor.Shutdown(wait: false, cancelPending: true);

        foreach (var task in queued)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(task));
        }
        Assert.False(running.IsCompleted);
        gate.Release();
        Assert.Equal(gate.Directory, await Bounded.Within(running));
        await Bounded.Within(executor.ShutdownAsync());
    }

    [Fact]
    public async Task Shutdown_WithoutCancelPending_QueuedWorkStillRuns()
    {
        var executor = CreateExecutor(1);
        using var gate = new Gate();
        var running = executor.Submit(ContractWork.Block, gate.Directory);
        gate.WaitStarted();
        var queued = executor.Submit(ContractWork.Square, 9);

        executor.Shutdown(wait: false);
        gate.Release();

        Assert.Equal(81, await Bounded.Within(queued));
        await Bounded.Within(running);
        await Bounded.Within(executor.ShutdownAsync());
    }

    [Fact]
    public async Task Shutdown_Wait_ReturnsOnlyAfterRunningWorkFinished()
    {
        var executor = CreateExecutor(1);
        using var gate = new Gate();
        var running = executor.Submit(ContractWork.Block, gate.Directory);
        gate.WaitStarted();

        var shutdown = Task.Factory.StartNew(
            () => executor.Shutdown(wait: true),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        Bounded.Until(() => executor.IsShutdown, "the executor reports shut down");

        // The work cannot finish before the gate opens, so neither can a waiting Shutdown.
        Assert.False(shutdown.IsCompleted);
        gate.Release();
        await Bounded.Within(shutdown);
        Assert.True(running.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ShutdownAsync_CompletesAfterRunningWorkFinished()
    {
        var executor = CreateExecutor(1);
        using var gate = new Gate();
        var running = executor.Submit(ContractWork.Block, gate.Directory);
        gate.WaitStarted();

        var shutdown = executor.ShutdownAsync();
        Assert.True(executor.IsShutdown);
        Assert.False(shutdown.IsCompleted);
        gate.Release();
        await Bounded.Within(shutdown);
        Assert.True(running.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ShutdownAsync_CancelPending_CancelsQueuedWork()
    {
        var executor = CreateExecutor(1);
        using var gate = new Gate();
        var running = executor.Submit(ContractWork.Block, gate.Directory);
        gate.WaitStarted();
        var queued = executor.Submit(ContractWork.Square, 3);

        var shutdown = executor.ShutdownAsync(cancelPending: true);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(queued));
        gate.Release();
        await Bounded.Within(shutdown);
        await Bounded.Within(running);
    }

    [Fact]
    public async Task Shutdown_CalledRepeatedly_IsHarmless()
    {
        var executor = CreateExecutor(2);
        Assert.Equal(4, await Bounded.Within(executor.Submit(ContractWork.Square, 2)));
        executor.Shutdown();
        executor.Shutdown(wait: false);
        executor.Shutdown(cancelPending: true);
        await Bounded.Within(executor.ShutdownAsync());
        executor.Dispose();
        await executor.DisposeAsync();
        Assert.True(executor.IsShutdown);
    }

    [Fact]
    public async Task Shutdown_NeverUsed_ReturnsAtOnce()
    {
        var executor = CreateExecutor(2);
        await Bounded.Within(executor.ShutdownAsync());
        executor.Shutdown(wait: true);
        Assert.True(executor.IsShutdown);
    }

    [Fact]
    public async Task Dispose_WaitsForAcceptedWork()
    {
        var executor = CreateExecutor(2);
        var tasks = Enumerable.Range(0, 20).Select(i => executor.Submit(ContractWork.Square, i)).ToArray();
        executor.Dispose();
        Assert.All(tasks, t => Assert.True(t.IsCompleted));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * i), await Bounded.Within(Task.WhenAll(tasks)));
    }

    [Fact]
    public async Task DisposeAsync_WaitsForAcceptedWork()
    {
        var executor = CreateExecutor(2);
        var tasks = Enumerable.Range(0, 20).Select(i => executor.Submit(ContractWork.Square, i)).ToArray();
        await Bounded.Within(executor.DisposeAsync().AsTask());
        Assert.All(tasks, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Throws<InvalidOperationException>(() => { _ = executor.Submit(ContractWork.Square, 1); });
    }

    // ---------------------------------------------------------------- Map

    [Fact]
    public void Map_ResultsInInputOrder()
    {
        using var executor = CreateExecutor(3);
        var results = executor.Map(ContractWork.Square, Enumerable.Range(0, 100)).ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * i), results);
    }

    [Fact]
    public void Map_SlowFirstItem_StillYieldedFirst()
    {
        using var executor = CreateExecutor(2);
        using var gate = new Gate();
        var marker = gate.NewFilePath("second");
        using var results = executor.Map(ContractWork.BlockOrTouch, [gate.BlockArgument, marker], chunkSize: 1).GetEnumerator();
        var first = Task.Factory.StartNew(
            () => results.MoveNext() ? results.Current : null,
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        Bounded.Until(() => File.Exists(marker), "the second item ran");
        Assert.False(first.IsCompleted);
        gate.Release();
        Assert.Equal(gate.Directory, Bounded.Result(first));
        Assert.True(results.MoveNext());
        Assert.Equal(marker, results.Current);
        Assert.False(results.MoveNext());
    }

    [Fact]
    public void Map_BeforeEnumeration_SubmitsNothing()
    {
        using var executor = CreateExecutor(2);
        var pulled = 0;
        var mapped = executor.Map(ContractWork.Square, Counting(Enumerable.Range(0, 10), () => pulled++));
        Assert.Equal(0, pulled);
        Assert.Equal(0, mapped.First());
    }

    [Fact]
    public void Map_InfiniteSourceWithTake_Completes()
    {
        using var executor = CreateExecutor(2);
        Assert.Equal([0, 1, 4, 9, 16], executor.Map(ContractWork.Square, Naturals()).Take(5).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Map_BufferSize_LimitsItemsInFlight(int bufferSize)
    {
        using var executor = CreateExecutor(2);
        var pulled = 0;
        var yielded = 0;
        foreach (var _ in executor.Map(ContractWork.Square, Counting(Naturals(), () => pulled++), chunkSize: 1, bufferSize: bufferSize).Take(10))
        {
            yielded++;
            Assert.True(pulled <= yielded - 1 + bufferSize, $"{pulled} items pulled after {yielded} yielded with bufferSize {bufferSize}");
        }
        Assert.Equal(10, yielded);
    }

    [Fact]
    public void Map_DefaultBufferSize_IsBounded()
    {
        using var executor = CreateExecutor(2);
        var pulled = 0;
        Assert.Equal(0, executor.Map(ContractWork.Square, Counting(Naturals(), () => pulled++)).First());
        // Whatever the executor's defaults, an endless source must not be drained ahead of the consumer.
        Assert.InRange(pulled, 1, 1024);
    }

    [Fact]
    public void Map_Timeout_ThrowsTimeoutException()
    {
        using var executor = CreateExecutor(1);
        using var gate = new Gate();
        var watch = Stopwatch.StartNew();
        var results = executor.Map(ContractWork.Block, [gate.Directory], timeout: TimeSpan.FromMilliseconds(300));
        Assert.Throws<TimeoutException>(() => results.ToArray());
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"timed out after only {watch.Elapsed}");
        gate.Release();
    }

    /// <summary>A zero timeout polls (CPython's <c>map(timeout=0)</c>): an item not finished yet times out at once.</summary>
    [Fact]
    public void Map_ZeroTimeout_PollsAndTimesOutOnAnUnfinishedItem()
    {
        using var executor = CreateExecutor(1);
        using var gate = new Gate();
        var results = executor.Map(ContractWork.Block, [gate.Directory], timeout: TimeSpan.Zero);
        Assert.Throws<TimeoutException>(() => results.ToArray());
        gate.Release();
    }

    [Fact]
    public void Map_TimeoutLongEnough_ReturnsResults()
    {
        using var executor = CreateExecutor(2);
        Assert.Equal([0, 1, 4], executor.Map(ContractWork.Square, [0, 1, 2], timeout: TimeSpan.FromSeconds(30)).ToArray());
        Assert.Equal([0, 1, 4], executor.Map(ContractWork.Square, [0, 1, 2], timeout: Timeout.InfiniteTimeSpan).ToArray());
    }

    [Fact]
    public void Map_ItemThrows_EarlierResultsYieldedThenExceptionRethrown()
    {
        using var executor = CreateExecutor(2);
        var yielded = new List<int>();
        var thrown = Assert.ThrowsAny<Exception>(() =>
        {
            foreach (var result in executor.Map(ContractWork.SquareFailingAtThree, Enumerable.Range(0, 6)))
            {
                yielded.Add(result);
            }
        });
        Assert.Equal([0, 1, 4], yielded);
        AssertUserException(thrown, typeof(InvalidOperationException), "item 3 failed");
    }

    [Fact]
    public void Map_EmptySource_YieldsNothing()
    {
        using var executor = CreateExecutor(2);
        Assert.Empty(executor.Map(ContractWork.Square, Array.Empty<int>()));
        Assert.Empty(executor.MapUnordered(ContractWork.Square, Array.Empty<int>()));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(100)]
    public void Map_ChunkSize_ResultsInInputOrder(int chunkSize)
    {
        using var executor = CreateExecutor(2);
        var results = executor.Map(ContractWork.Square, Enumerable.Range(0, 50), chunkSize: chunkSize).ToArray();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * i), results);
    }

    [Fact]
    public void Map_InvalidArguments_ThrowAtCallNotAtEnumeration()
    {
        using var executor = CreateExecutor(1);
        Assert.Throws<ArgumentNullException>(() => executor.Map((Func<int, int>)null!, [1]));
        Assert.Throws<ArgumentNullException>(() => executor.Map(ContractWork.Square, (IEnumerable<int>)null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.Map(ContractWork.Square, [1], chunkSize: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.Map(ContractWork.Square, [1], bufferSize: -1));
        Assert.Throws<ArgumentNullException>(() => executor.MapUnordered((Func<int, int>)null!, [1]));
        Assert.Throws<ArgumentNullException>(() => executor.MapUnordered(ContractWork.Square, (IEnumerable<int>)null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.MapUnordered(ContractWork.Square, [1], chunkSize: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.MapUnordered(ContractWork.Square, [1], bufferSize: -1));
    }

    [Fact]
    public async Task Map_EnumeratorDisposedEarly_CancelsItemsNotStarted()
    {
        using var executor = CreateExecutor(1);
        using var gate = new Gate();
        var later = new[] { gate.NewFilePath("later-1"), gate.NewFilePath("later-2") };
        var first = gate.NewFilePath("first");
        using (var results = executor.Map(ContractWork.BlockOrTouch, [first, gate.BlockArgument, later[0], later[1]], chunkSize: 1, bufferSize: 4).GetEnumerator())
        {
            Assert.True(results.MoveNext());
            Assert.Equal(first, results.Current);
            gate.WaitStarted();
        }
        gate.Release();
        // One worker runs items in order: once this is done, the abandoned items had their turn.
        Assert.Equal(4, await Bounded.Within(executor.Submit(ContractWork.Square, 2)));
        Assert.All(later, path => Assert.False(File.Exists(path), $"{path} ran after the enumeration was abandoned"));
    }

    [Fact]
    public async Task Map_CancellationToken_StopsEnumerationAndCancelsQueuedItems()
    {
        using var executor = CreateExecutor(1);
        using var gate = new Gate();
        var later = gate.NewFilePath("later");
        var first = gate.NewFilePath("first");
        using var cts = new CancellationTokenSource();
        using var results = executor.Map(ContractWork.BlockOrTouch, [first, gate.BlockArgument, later], chunkSize: 1, bufferSize: 3, cancellationToken: cts.Token).GetEnumerator();
        Assert.True(results.MoveNext());
        gate.WaitStarted();

        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => results.MoveNext());
        gate.Release();
        Assert.Equal(4, await Bounded.Within(executor.Submit(ContractWork.Square, 2)));
        Assert.False(File.Exists(later));
    }

    [Fact]
    public void Map_TokenAlreadyCancelled_ThrowsOnEnumeration()
    {
        using var executor = CreateExecutor(1);
        var results = executor.Map(ContractWork.Square, [1, 2], cancellationToken: new CancellationToken(canceled: true));
        Assert.ThrowsAny<OperationCanceledException>(() => results.ToArray());
    }

    // ---------------------------------------------------------------- MapUnordered

    [Fact]
    public void MapUnordered_YieldsEveryResultOnce()
    {
        using var executor = CreateExecutor(3);
        var results = executor.MapUnordered(ContractWork.Square, Enumerable.Range(0, 200)).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i * i), results.Order());
    }

    [Fact]
    public void MapUnordered_WithChunks_YieldsEveryResultOnce()
    {
        using var executor = CreateExecutor(2);
        var results = executor.MapUnordered(ContractWork.Square, Enumerable.Range(0, 101), chunkSize: 10).ToList();
        Assert.Equal(Enumerable.Range(0, 101).Select(i => i * i), results.Order());
    }

    [Fact]
    public void MapUnordered_SlowFirstItem_FastItemYieldedFirst()
    {
        using var executor = CreateExecutor(2);
        using var gate = new Gate();
        var marker = gate.NewFilePath("fast");
        using var results = executor.MapUnordered(ContractWork.BlockOrTouch, [gate.BlockArgument, marker], chunkSize: 1).GetEnumerator();
        Assert.True(results.MoveNext());
        Assert.Equal(marker, results.Current);
        gate.Release();
        Assert.True(results.MoveNext());
        Assert.Equal(gate.Directory, results.Current);
        Assert.False(results.MoveNext());
    }

    [Fact]
    public void MapUnordered_ItemThrows_ExceptionRethrown()
    {
        using var executor = CreateExecutor(2);
        var thrown = Assert.ThrowsAny<Exception>(() => executor.MapUnordered(ContractWork.SquareFailingAtThree, Enumerable.Range(0, 6)).ToList());
        AssertUserException(thrown, typeof(InvalidOperationException), "item 3 failed");
    }

    [Fact]
    public void MapUnordered_Timeout_ThrowsTimeoutException()
    {
        using var executor = CreateExecutor(1);
        using var gate = new Gate();
        var results = executor.MapUnordered(ContractWork.Block, [gate.Directory], timeout: TimeSpan.FromMilliseconds(200));
        Assert.Throws<TimeoutException>(() => results.ToArray());
        gate.Release();
    }

    [Fact]
    public void MapUnordered_InfiniteSourceWithTake_Completes()
    {
        using var executor = CreateExecutor(2);
        var pulled = 0;
        var results = executor.MapUnordered(ContractWork.Square, Counting(Naturals(), () => pulled++), chunkSize: 1, bufferSize: 4).Take(20).ToList();
        Assert.Equal(20, results.Count);
        Assert.InRange(pulled, 20, 24);
    }

    [Fact]
    public void MapUnordered_BeforeEnumeration_SubmitsNothing()
    {
        using var executor = CreateExecutor(2);
        var pulled = 0;
        _ = executor.MapUnordered(ContractWork.Square, Counting(Enumerable.Range(0, 10), () => pulled++));
        Assert.Equal(0, pulled);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Yields 0, 1, 2, ... without end.</summary>
    protected static IEnumerable<int> Naturals()
    {
        for (var i = 0; ; i++)
        {
            yield return i;
        }
    }

    /// <summary>Yields <paramref name="source"/>, calling <paramref name="onPull"/> for every item pulled (test side only).</summary>
    protected static IEnumerable<T> Counting<T>(IEnumerable<T> source, Action onPull)
    {
        foreach (var item in source)
        {
            onPull();
            yield return item;
        }
    }
}
