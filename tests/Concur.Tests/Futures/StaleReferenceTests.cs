using System.Runtime.CompilerServices;
using Concur.Tests.Support;
using ConcurFutures = Concur.Futures;

namespace Concur.Tests.Futures;

/// <summary>
/// Nothing in the futures machinery keeps work it is done with alive: a pool worker waiting for its next item
/// (CPython's bpo-16284) and an <c>AsCompleted</c> enumeration that has moved on (bpo-14406).
/// </summary>
/// <remarks>
/// Every object watched here is created, and every strong reference to it dropped, inside a method marked
/// <see cref="MethodImplOptions.NoInlining"/> that hands back only a <see cref="WeakReference"/>: the test methods
/// themselves never hold one in a local, which a Debug build keeps alive to the end of the method.
/// </remarks>
public sealed class StaleReferenceTests
{
    [Fact]
    public void Submit_WorkerWaitsForNextItem_DropsTheLastItemItsCapturesAndItsResult()
    {
        using var executor = new ThreadPoolExecutor(maxWorkers: 1);
        var (captured, result) = RunOneItem(executor);

        // The worker drops the item right after publishing its outcome, which the submitter may see a moment
        // earlier: poll, each round after a full collection, within the suite's bound.
        Bounded.Until(() => IsCollected(captured) && IsCollected(result), "the idle worker no longer references its last item");
        Assert.Equal(1, executor.ThreadCount);
    }

    [Fact]
    public void Submit_ItemFaulted_WorkerDropsTheItemAndItsException()
    {
        using var executor = new ThreadPoolExecutor(maxWorkers: 1);
        var (captured, exception) = RunOneFailingItem(executor);

        Bounded.Until(() => IsCollected(captured) && IsCollected(exception), "the idle worker no longer references its last failed item");
    }

    [Fact]
    public void AsCompleted_MovedPastATask_NoLongerReferencesIt()
    {
        var pending = new TaskCompletionSource<object>();
        var (order, first) = StartAsCompleted(pending.Task);
        using (order)
        {
            pending.SetResult(new object());
            Assert.True(order.MoveNext());
            Assert.Same(pending.Task, order.Current);

            Assert.True(IsCollected(first), "AsCompleted kept a task it had already yielded and moved past.");
            Assert.False(order.MoveNext());
        }
    }

    [Fact]
    public void AsCompleted_ManyTasks_EachYieldedTaskCollectableOnceMovedPast()
    {
        // CPython's test_free_reference_yielded_future: the caller drops each task as it is yielded.
        var sources = Enumerable.Range(0, 8).Select(_ => new TaskCompletionSource<object>()).ToList();
        using var order = StartAsCompleted(sources);
        WeakReference? previous = null;
        while (sources.Count > 0)
        {
            CompleteFirst(sources);
            var current = MoveAndWatch(order);
            if (previous is not null)
            {
                Assert.True(IsCollected(previous), "AsCompleted kept a task it had already yielded and moved past.");
            }
            previous = current;
        }
        Assert.False(order.MoveNext());
        Assert.True(IsCollected(previous!), "A finished AsCompleted enumeration kept its last task.");
    }

    [Fact]
    public async Task AsCompletedAsync_MovedPastATask_NoLongerReferencesIt()
    {
        var pending = new TaskCompletionSource<object>();
        var (order, first) = StartAsCompletedAsync(pending.Task);
        await using (order)
        {
            pending.SetResult(new object());
            Assert.True(await Bounded.Within(order.MoveNextAsync().AsTask()));
            Assert.Same(pending.Task, order.Current);

            Assert.True(IsCollected(first), "AsCompletedAsync kept a task it had already yielded and moved past.");
            Assert.False(await Bounded.Within(order.MoveNextAsync().AsTask()));
        }
    }

    [Fact]
    public void AsCompleted_SequenceEnumeratedTwice_YieldsEveryTaskBothTimes()
    {
        // The sequence keeps the tasks (so it can be enumerated again); each enumeration drops what it has yielded.
        Task<int>[] tasks = [Task.FromResult(1), Task.FromResult(2)];
        var sequence = ConcurFutures.AsCompleted(tasks);
        Assert.Equal(tasks, sequence.ToArray());
        Assert.Equal(tasks, sequence.ToArray());
    }

    /// <summary>Runs one item on <paramref name="executor"/> and waits for it; returns weak references to what it captured and returned.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Captured, WeakReference Result) RunOneItem(ThreadPoolExecutor executor)
    {
        var captured = new byte[1024];
        var result = Bounded.Result(executor.Submit(() => new object[] { captured.Length }));
        return (new WeakReference(captured), new WeakReference(result));
    }

    /// <summary>Runs one item that throws; returns weak references to what it captured and to its exception.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Captured, WeakReference Exception) RunOneFailingItem(ThreadPoolExecutor executor)
    {
        var captured = new byte[1024];
        var task = executor.Submit(() => throw new InvalidOperationException($"failed with {captured.Length} bytes"));
        var exception = Assert.Throws<AggregateException>(() => task.Wait(Bounded.Limit)).InnerException!;
        return (new WeakReference(captured), new WeakReference(exception));
    }

    /// <summary>Starts an enumeration over a finished task and <paramref name="pending"/>, and moves to the finished one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (IEnumerator<Task<object>> Order, WeakReference First) StartAsCompleted(Task<object> pending)
    {
        var finished = Task.FromResult(new object());
        var order = ConcurFutures.AsCompleted(new List<Task<object>> { finished, pending }).GetEnumerator();
        Assert.True(order.MoveNext());
        Assert.Same(finished, order.Current);
        return (order, new WeakReference(finished));
    }

    /// <summary>Starts an enumeration over the tasks of <paramref name="sources"/>, which the caller drops one by one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IEnumerator<Task<object>> StartAsCompleted(List<TaskCompletionSource<object>> sources) =>
        ConcurFutures.AsCompleted(sources.Select(s => s.Task).ToList()).GetEnumerator();

    /// <summary>The asynchronous twin of <see cref="StartAsCompleted(Task{object})"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (IAsyncEnumerator<Task<object>> Order, WeakReference First) StartAsCompletedAsync(Task<object> pending)
    {
        var finished = Task.FromResult(new object());
        var order = ConcurFutures.AsCompletedAsync(new List<Task<object>> { finished, pending }).GetAsyncEnumerator();
        Assert.True(Bounded.Result(order.MoveNextAsync().AsTask()));
        Assert.Same(finished, order.Current);
        return (order, new WeakReference(finished));
    }

    /// <summary>Completes the first source and removes it from the list, so only the enumeration can still reach its task.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CompleteFirst(List<TaskCompletionSource<object>> sources)
    {
        sources[0].SetResult(new object());
        sources.RemoveAt(0);
    }

    /// <summary>Moves <paramref name="order"/> to its next task and returns a weak reference to it, so the caller's frame never holds the task.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference MoveAndWatch(IEnumerator<Task<object>> order)
    {
        Assert.True(order.MoveNext());
        return new WeakReference(order.Current);
    }

    /// <summary>Runs a full, blocking collection (finalizers included) and tells whether the target is gone.</summary>
    private static bool IsCollected(WeakReference reference)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return !reference.IsAlive;
    }
}
