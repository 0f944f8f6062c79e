using System.Diagnostics;
using Concur.Tests.Support;
using ConcurFutures = Concur.Futures;

namespace Concur.Tests.Futures;

/// <summary>AsCompleted and Wait, checked against CPython's <c>as_completed</c> and <c>wait</c> semantics.</summary>
public sealed class FuturesTests
{
    private static TaskCompletionSource<int> Pending() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // ---------------------------------------------------------------- AsCompleted

    [Fact]
    public void AsCompleted_TasksCompleteOutOfOrder_YieldedInCompletionOrder()
    {
        var a = Pending();
        var b = Pending();
        var c = Pending();
        using var order = ConcurFutures.AsCompleted([a.Task, b.Task, c.Task]).GetEnumerator();
        b.SetResult(2);
        Assert.True(NextWithin(order));
        Assert.Same(b.Task, order.Current);
        c.SetResult(3);
        Assert.True(NextWithin(order));
        Assert.Same(c.Task, order.Current);
        a.SetResult(1);
        Assert.True(NextWithin(order));
        Assert.Same(a.Task, order.Current);
        Assert.False(order.MoveNext());
    }

    [Fact]
    public void AsCompleted_AlreadyCompleted_YieldedFirstInInputOrder()
    {
        var pending = Pending();
        var done1 = Task.FromResult(1);
        var done2 = Task.FromException<int>(new InvalidOperationException("x"));
        using var order = ConcurFutures.AsCompleted([pending.Task, done1, done2]).GetEnumerator();
        Assert.True(order.MoveNext());
        Assert.Same(done1, order.Current);
        Assert.True(order.MoveNext());
        Assert.Same(done2, order.Current);
        pending.SetResult(0);
        Assert.True(NextWithin(order));
        Assert.Same(pending.Task, order.Current);
        Assert.False(order.MoveNext());
    }

    [Fact]
    public void AsCompleted_Duplicates_YieldedOnce()
    {
        var a = Task.FromResult(1);
        var b = Pending();
        b.SetResult(2);
        var yielded = ConcurFutures.AsCompleted([a, b.Task, a, b.Task, a]).ToList();
        Assert.Equal([a, b.Task], yielded);
    }

    [Fact]
    public void AsCompleted_Empty_YieldsNothing()
    {
        Assert.Empty(ConcurFutures.AsCompleted(Array.Empty<Task<int>>()));
        Assert.Empty(ConcurFutures.AsCompleted(Array.Empty<Task>(), TimeSpan.Zero));
    }

    [Fact]
    public void AsCompleted_Timeout_YieldsFinishedThenThrowsTimeoutException()
    {
        var done = Task.FromResult(1);
        var never = Pending();
        var watch = Stopwatch.StartNew();
        using var order = ConcurFutures.AsCompleted([done, never.Task], TimeSpan.FromMilliseconds(200)).GetEnumerator();
        Assert.True(order.MoveNext());
        Assert.Same(done, order.Current);
        var ex = Assert.Throws<TimeoutException>(() => order.MoveNext());
        Assert.Contains("1 (of 2)", ex.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(150), $"timed out after only {watch.Elapsed}");
    }

    [Fact]
    public void AsCompleted_ZeroTimeoutAllDone_YieldsAll()
    {
        var tasks = new[] { Task.FromResult(1), Task.FromResult(2) };
        Assert.Equal(tasks, ConcurFutures.AsCompleted(tasks, TimeSpan.Zero).ToArray());
    }

    [Fact]
    public void AsCompleted_NonGeneric_MixedTasks()
    {
        var pending = new TaskCompletionSource();
        Task[] tasks = [Task.CompletedTask, pending.Task];
        using var order = ConcurFutures.AsCompleted(tasks).GetEnumerator();
        Assert.True(order.MoveNext());
        Assert.Same(Task.CompletedTask, order.Current);
        pending.SetResult();
        Assert.True(NextWithin(order));
        Assert.Same(pending.Task, order.Current);
    }

    [Fact]
    public void AsCompleted_InvalidArguments_ThrowAtCall()
    {
        Assert.Throws<ArgumentNullException>(() => ConcurFutures.AsCompleted((IEnumerable<Task<int>>)null!));
        Assert.Throws<ArgumentNullException>(() => ConcurFutures.AsCompleted(new Task<int>[] { null! }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcurFutures.AsCompleted([Task.FromResult(1)], TimeSpan.FromSeconds(-2)));
        Assert.Throws<ArgumentNullException>(() => ConcurFutures.AsCompletedAsync((IEnumerable<Task>)null!));
    }

    [Fact]
    public void AsCompleted_Cancelled_ThrowsOperationCanceledException()
    {
        var never = Pending();
        using var cts = new CancellationTokenSource();
        using var order = ConcurFutures.AsCompleted([never.Task], cancellationToken: cts.Token).GetEnumerator();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => order.MoveNext());
    }

    [Fact]
    public async Task AsCompletedAsync_YieldsInCompletionOrder()
    {
        var a = Pending();
        var b = Pending();
        var seen = new List<Task<int>>();
        b.SetResult(2);
        await foreach (var task in ConcurFutures.AsCompletedAsync([a.Task, b.Task]).WithCancellation(CancellationToken.None))
        {
            seen.Add(task);
            if (seen.Count == 1)
            {
                a.SetResult(1);
            }
        }
        Assert.Equal([b.Task, a.Task], seen);
    }

    [Fact]
    public async Task AsCompletedAsync_Timeout_ThrowsTimeoutException()
    {
        var never = Pending();
        await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await foreach (var _ in ConcurFutures.AsCompletedAsync([never.Task], TimeSpan.FromMilliseconds(100)))
            {
            }
        });
    }

    [Fact]
    public async Task AsCompleted_ExecutorTasks_AllYielded()
    {
        await using var executor = new ThreadPoolExecutor(3);
        var tasks = Enumerable.Range(0, 50).Select(i => executor.Submit(ContractWork.Square, i)).ToList();
        var results = ConcurFutures.AsCompleted(tasks, Bounded.Limit).Select(t => t.Result).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * i), results);
    }

    // ---------------------------------------------------------------- Wait

    [Fact]
    public void Timeouts_LongerThanIntMaxMilliseconds_ThrowArgumentOutOfRangeOnEntry()
    {
        // The same rule as every Concur wait; before, Wait accepted the timeout and SemaphoreSlim threw from inside.
        var pending = Pending();
        var tooLong = TimeSpan.FromDays(30);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ConcurFutures.Wait([pending.Task], tooLong));
        Assert.Equal("timeout", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = ConcurFutures.WaitAsync([pending.Task], tooLong); });
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcurFutures.AsCompleted([pending.Task], TimeSpan.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcurFutures.AsCompletedAsync([pending.Task], tooLong));
        using var executor = new ThreadPoolExecutor(maxWorkers: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.Map(x => x, [1], timeout: tooLong));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.MapUnordered(x => x, [1], timeout: tooLong));
        pending.SetResult(0);
    }

    [Fact]
    public void Timeouts_InfiniteOrNull_Accepted()
    {
        var done = Task.FromResult(1);
        Assert.Single(ConcurFutures.Wait([done], Timeout.InfiniteTimeSpan).Done);
        Assert.Single(ConcurFutures.Wait([done], null).Done);
        Assert.Equal([done], ConcurFutures.AsCompleted([done], Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void Wait_AllCompleted_ReturnsWhenAllDone()
    {
        var a = Pending();
        var b = Pending();
        var waiter = Task.Factory.StartNew(
            () => ConcurFutures.Wait([a.Task, b.Task]),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        a.SetResult(1);
        b.SetException(new InvalidOperationException());
        var (done, notDone) = Bounded.Result(waiter);
        Assert.Equal(2, done.Count);
        Assert.Empty(notDone);
    }

    [Fact]
    public void Wait_Result_ToStringCountsDoneAndNotDone()
    {
        var never = Pending();
        var result = ConcurFutures.Wait([Task.FromResult(1), Task.FromResult(2), never.Task], TimeSpan.Zero);
        Assert.Equal("DoneAndNotDone (2 done, 1 not done)", result.ToString());
    }

    [Fact]
    public void Wait_FirstCompleted_ReturnsAfterOne()
    {
        var a = Pending();
        var b = Pending();
        var waiter = Task.Factory.StartNew(
            () => ConcurFutures.Wait([a.Task, b.Task], returnWhen: ReturnWhen.FirstCompleted),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        b.SetResult(2);
        var result = Bounded.Result(waiter);
        Assert.Equal([b.Task], result.Done);
        Assert.Equal([a.Task], result.NotDone);
    }

    [Fact]
    public void Wait_FirstCompletedWithOneAlreadyDone_ReturnsAtOnce()
    {
        var done = Task.FromResult(1);
        var never = Pending();
        var result = ConcurFutures.Wait([never.Task, done], returnWhen: ReturnWhen.FirstCompleted);
        Assert.Equal([done], result.Done);
        Assert.Equal([never.Task], result.NotDone);
    }

    [Fact]
    public void Wait_FirstException_ReturnsOnFault()
    {
        var ok = Pending();
        var failing = Pending();
        var never = Pending();
        var waiter = Task.Factory.StartNew(
            () => ConcurFutures.Wait([ok.Task, failing.Task, never.Task], returnWhen: ReturnWhen.FirstException),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        ok.SetResult(1);
        failing.SetException(new InvalidOperationException("x"));
        var result = Bounded.Result(waiter);
        Assert.Contains(failing.Task, result.Done);
        Assert.Contains(never.Task, result.NotDone);
    }

    [Fact]
    public void Wait_FirstExceptionAlreadyFaulted_ReturnsAtOnce()
    {
        var faulted = Task.FromException<int>(new InvalidOperationException());
        var never = Pending();
        var result = ConcurFutures.Wait([never.Task, faulted], returnWhen: ReturnWhen.FirstException);
        Assert.Equal([faulted], result.Done);
        Assert.Equal([never.Task], result.NotDone);
    }

    [Fact]
    public void Wait_FirstExceptionNoneFaults_WaitsForAll()
    {
        var a = Pending();
        var cancelled = Pending();
        var waiter = Task.Factory.StartNew(
            () => ConcurFutures.Wait([a.Task, cancelled.Task], returnWhen: ReturnWhen.FirstException),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        // A cancelled task is not an exception (CPython): the wait goes on until all are done.
        cancelled.SetCanceled();
        Bounded.Until(() => cancelled.Task.IsCanceled, "the task is cancelled");
        a.SetResult(1);
        var result = Bounded.Result(waiter);
        Assert.Equal(2, result.Done.Count);
        Assert.Empty(result.NotDone);
    }

    [Fact]
    public void Wait_Timeout_ReturnsWithNotDoneInsteadOfThrowing()
    {
        var done = Task.FromResult(1);
        var never = Pending();
        var watch = Stopwatch.StartNew();
        var result = ConcurFutures.Wait([done, never.Task], TimeSpan.FromMilliseconds(200));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(150), $"returned after only {watch.Elapsed}");
        Assert.Equal([done], result.Done);
        Assert.Equal([never.Task], result.NotDone);
    }

    [Fact]
    public void Wait_ZeroTimeout_ReportsCurrentState()
    {
        var done = Task.FromResult(1);
        var never = Pending();
        var result = ConcurFutures.Wait([done, never.Task], TimeSpan.Zero, ReturnWhen.AllCompleted);
        Assert.Equal([done], result.Done);
        Assert.Equal([never.Task], result.NotDone);
    }

    [Theory]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    [InlineData(ReturnWhen.AllCompleted)]
    public void Wait_EmptyInput_ReturnsEmptySets(ReturnWhen returnWhen)
    {
        var result = ConcurFutures.Wait(Array.Empty<Task>(), returnWhen: returnWhen);
        Assert.Empty(result.Done);
        Assert.Empty(result.NotDone);
    }

    [Theory]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    [InlineData(ReturnWhen.AllCompleted)]
    public void Wait_AllAlreadyCompleted_ReturnsAll(ReturnWhen returnWhen)
    {
        var tasks = new[] { Task.FromResult(1), Task.FromResult(2) };
        var result = ConcurFutures.Wait(tasks, returnWhen: returnWhen);
        Assert.Equal(2, result.Done.Count);
        Assert.Empty(result.NotDone);
    }

    [Fact]
    public void Wait_Duplicates_CountedOnce()
    {
        var a = Task.FromResult(1);
        var never = Pending();
        var result = ConcurFutures.Wait([a, a, never.Task, never.Task], TimeSpan.Zero);
        Assert.Single(result.Done);
        Assert.Single(result.NotDone);
    }

    [Fact]
    public void Wait_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ConcurFutures.Wait((IEnumerable<Task>)null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcurFutures.Wait([Task.CompletedTask], TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcurFutures.Wait([Task.CompletedTask], returnWhen: (ReturnWhen)42));
        Assert.Throws<ArgumentNullException>(() => { _ = ConcurFutures.WaitAsync((IEnumerable<Task>)null!); });
    }

    [Fact]
    public void Wait_Cancelled_ThrowsOperationCanceledException()
    {
        var never = Pending();
        Assert.ThrowsAny<OperationCanceledException>(
            () => ConcurFutures.Wait([never.Task], cancellationToken: new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task WaitAsync_FirstCompleted_CompletesAfterOne()
    {
        var a = Pending();
        var b = Pending();
        var waiting = ConcurFutures.WaitAsync([a.Task, b.Task], returnWhen: ReturnWhen.FirstCompleted);
        Assert.False(waiting.IsCompleted);
        a.SetResult(1);
        var result = await Bounded.Within(waiting);
        Assert.Equal([a.Task], result.Done);
        Assert.Equal([b.Task], result.NotDone);
    }

    [Fact]
    public async Task WaitAsync_Timeout_ReturnsNotDone()
    {
        var never = Pending();
        var result = await Bounded.Within(ConcurFutures.WaitAsync([never.Task], TimeSpan.FromMilliseconds(50)));
        Assert.Empty(result.Done);
        Assert.Equal([never.Task], result.NotDone);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_TaskCancelled()
    {
        var never = Pending();
        using var cts = new CancellationTokenSource();
        var waiting = ConcurFutures.WaitAsync([never.Task], cancellationToken: cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
    }

    [Theory]
    [InlineData(ReturnWhen.AllCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    [InlineData(ReturnWhen.FirstCompleted)]
    public void Wait_TasksCompletingWhileWaitStarts_NeverMissesACompletion(ReturnWhen returnWhen)
    {
        for (var round = 0; round < 100; round++)
        {
            var tasks = Enumerable.Range(0, 200).Select(_ => Pending()).ToArray();
            using var start = new Barrier(2);
            var completer = new Thread(() =>
            {
                start.SignalAndWait(Bounded.Limit);
                foreach (var t in tasks)
                {
                    t.SetResult(1);
                }
            });
            completer.Start();
            // No timeout: a missed completion would hang the wait, which Bounded.Result turns into a failure.
            var result = Bounded.Result(Task.Factory.StartNew(
                () =>
                {
                    var all = tasks.Select(t => t.Task).ToArray();
                    start.SignalAndWait(Bounded.Limit);
                    return ConcurFutures.Wait(all, returnWhen: returnWhen);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default));
            Bounded.Join(completer);
            Assert.NotEmpty(result.Done);
        }
    }

    [Fact]
    public void AsCompleted_TasksCompletingWhileEnumerationStarts_YieldsEveryTask()
    {
        for (var round = 0; round < 100; round++)
        {
            var tasks = Enumerable.Range(0, 200).Select(_ => Pending()).ToArray();
            using var start = new Barrier(2);
            var completer = new Thread(() =>
            {
                start.SignalAndWait(Bounded.Limit);
                foreach (var t in tasks)
                {
                    t.SetResult(1);
                }
            });
            completer.Start();
            var all = tasks.Select(t => t.Task).ToArray();
            start.SignalAndWait(Bounded.Limit);
            Assert.Equal(200, ConcurFutures.AsCompleted(all, Bounded.Limit).Count());
            Bounded.Join(completer);
        }
    }

    private static bool NextWithin<T>(IEnumerator<T> enumerator)
    {
        var next = Task.Factory.StartNew(
            enumerator.MoveNext,
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        return Bounded.Result(next);
    }
}
