using Concur.Tests.Support;

namespace Concur.Tests.Threading;

/// <summary>
/// The behaviour of <see cref="Condition"/> over each lock kind (the sealed subclasses at the end of this file), each
/// test in both call modes: <c>Wait</c>/<c>WaitFor</c> on a thread of their own and <c>WaitAsync</c>/<c>WaitForAsync</c>
/// awaited (CPython's <c>lock_tests.ConditionTests</c>), plus wait morphing: a notified waiter waits on the lock's
/// queue, not on the notifier.
/// </summary>
public abstract class ConditionContractTests
{
    private static readonly TimeSpan s_short = TimeSpan.FromMilliseconds(30);

    /// <summary>Creates the lock the condition is built over.</summary>
    protected abstract OwnedLock CreateLock(string name);

    private Condition Create() => new(CreateLock("condition-contract"));

    /// <summary>One wait with the lock held around it; returns what the wait returned, after checking the lock is held again.</summary>
    private static Task<bool> WaitOnce(CallMode mode, TestThreads threads, Condition condition, TimeSpan timeout, CancellationToken token = default) =>
        Twin.Start(
            mode,
            threads,
            () =>
            {
                using (condition.Acquire())
                {
                    var notified = condition.Wait(timeout, token);
                    Assert.True(condition.Lock.IsHeldByCurrentThread);
                    return notified;
                }
            },
            async () =>
            {
                using var scope = await condition.AcquireAsync();
                try
                {
                    return await condition.WaitAsync(scope, timeout, token);
                }
                finally
                {
                    Assert.True(condition.Lock.IsHeld);
                }
            });

    private static Task<bool> WaitForOnce(CallMode mode, TestThreads threads, Condition condition, Func<bool> predicate, TimeSpan timeout) =>
        Twin.Start(
            mode,
            threads,
            () =>
            {
                using (condition.Acquire())
                {
                    return condition.WaitFor(predicate, timeout);
                }
            },
            async () =>
            {
                using var scope = await condition.AcquireAsync();
                return await condition.WaitForAsync(scope, predicate, timeout);
            });

    private static void Notify(Condition condition, int count = 1)
    {
        using (condition.Acquire())
        {
            condition.Notify(count);
        }
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Wait_Notified_ReturnsTrueHoldingTheLockAgain(CallMode mode)
    {
        var condition = Create();
        using var threads = new TestThreads();
        var waiting = WaitOnce(mode, threads, condition, Bounded.Limit);
        Bounded.Until(() => condition.WaiterCount == 1 && !condition.Lock.IsHeld, "the waiter waits with the lock released");

        Notify(condition);

        Assert.True(await Bounded.Within(waiting));
        Assert.False(condition.Lock.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Wait_Timeout_ReturnsFalseHoldingTheLockAgainAndLeavesNoWaiter(CallMode mode)
    {
        var condition = Create();
        using var threads = new TestThreads();

        Assert.False(await Bounded.Within(WaitOnce(mode, threads, condition, s_short)));
        Assert.Equal(0, condition.WaiterCount);
        Assert.Equal(0, condition.Lock.WaiterCount);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Wait_CancelledWhileWaiting_ThrowsHoldingTheLockAgain(CallMode mode)
    {
        var condition = Create();
        using var threads = new TestThreads();
        using var cts = new CancellationTokenSource();
        var waiting = WaitOnce(mode, threads, condition, Bounded.Limit, cts.Token);
        Bounded.Until(() => condition.WaiterCount == 1, "the waiter waits");

        cts.Cancel();

        // WaitOnce asserts inside that the lock is held again when the exception leaves the wait.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
        Assert.Equal(0, condition.WaiterCount);
        Assert.False(condition.Lock.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Notify_WhileTheNotifierHoldsTheLock_MovesTheWaiterOntoTheLockQueue(CallMode mode)
    {
        // Wait morphing: the notified waiter is not woken to find the lock held; it waits in the lock's queue and
        // returns only once the notifier releases the lock.
        var condition = Create();
        using var threads = new TestThreads();
        var waiting = WaitOnce(mode, threads, condition, Bounded.Limit);
        Bounded.Until(() => condition.WaiterCount == 1, "the waiter waits");

        using (condition.Acquire())
        {
            condition.Notify();
            Assert.Equal(0, condition.WaiterCount);
            Assert.Equal(1, condition.Lock.WaiterCount);
            Assert.False(waiting.IsCompleted);
        }

        Assert.True(await Bounded.Within(waiting));
        Assert.Equal(0, condition.Lock.WaiterCount);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task NotifyAll_ManyWaiters_EachReturnsHoldingTheLockInTurn(CallMode mode)
    {
        const int Waiters = 3;
        var condition = Create();
        using var threads = new TestThreads();
        var all = Enumerable.Range(0, Waiters).Select(_ => WaitOnce(mode, threads, condition, Bounded.Limit)).ToArray();
        Bounded.Until(() => condition.WaiterCount == Waiters, "every waiter waits");

        using (condition.Acquire())
        {
            condition.NotifyAll();
            Assert.Equal(Waiters, condition.Lock.WaiterCount);
        }

        Assert.All(await Bounded.Within(Task.WhenAll(all)), Assert.True);
        Assert.False(condition.Lock.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Notify_Count_WakesThatManyAndLeavesTheRestWaiting(CallMode mode)
    {
        var condition = Create();
        using var threads = new TestThreads();
        var all = Enumerable.Range(0, 3).Select(_ => WaitOnce(mode, threads, condition, Bounded.Limit)).ToArray();
        Bounded.Until(() => condition.WaiterCount == 3, "every waiter waits");

        Notify(condition, 2);
        Bounded.Until(() => all.Count(t => t.IsCompleted) == 2, "two waiters return");
        Assert.Equal(1, condition.WaiterCount);

        Notify(condition);
        Assert.All(await Bounded.Within(Task.WhenAll(all)), Assert.True);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task WaitFor_PredicateNeverTrue_ReturnsFalseAfterTheTimeout(CallMode mode)
    {
        var condition = Create();
        using var threads = new TestThreads();

        Assert.False(await Bounded.Within(WaitForOnce(mode, threads, condition, () => false, s_short)));
        Assert.Equal(0, condition.WaiterCount);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task WaitFor_PredicateMadeTrueByANotifier_ReturnsTrue(CallMode mode)
    {
        var condition = Create();
        using var threads = new TestThreads();
        var ready = false;
        var waiting = WaitForOnce(mode, threads, condition, () => ready, Bounded.Limit);

        // A notify for nothing first: the predicate is still false, so the waiter waits again.
        Bounded.Until(() => condition.WaiterCount == 1, "the waiter waits");
        Notify(condition);
        Bounded.Until(() => condition.WaiterCount == 1, "the waiter waits again");
        using (condition.Acquire())
        {
            ready = true;
            condition.Notify();
        }

        Assert.True(await Bounded.Within(waiting));
    }

    [Fact]
    public void ToString_ShowsTheLockAndTheWaiters()
    {
        var condition = new Condition(CreateLock("condition-repr"));
        using var threads = new TestThreads();
        Assert.Equal($"Condition({condition.Lock}, 0 waiting)", condition.ToString());

        var waiting = WaitOnce(CallMode.Sync, threads, condition, Bounded.Limit);
        Bounded.Until(() => condition.WaiterCount == 1, "the waiter waits");
        Assert.EndsWith("(free), 1 waiting)", condition.ToString(), StringComparison.Ordinal);

        Notify(condition);
        Assert.True(Bounded.Result(waiting));
    }
}

/// <summary>The condition contract over an <see cref="ExclusiveLock"/> (as the queues use it).</summary>
public sealed class ConditionOverExclusiveLockTests : ConditionContractTests
{
    /// <inheritdoc/>
    protected override OwnedLock CreateLock(string name) => new ExclusiveLock(name);
}

/// <summary>The condition contract over a <see cref="ReentrantLock"/> (Python's default).</summary>
public sealed class ConditionOverReentrantLockTests : ConditionContractTests
{
    /// <inheritdoc/>
    protected override OwnedLock CreateLock(string name) => new ReentrantLock(name);
}
