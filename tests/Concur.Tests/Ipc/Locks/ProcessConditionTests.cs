using Concur.Tests.Ipc.Queues;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Locks;

/// <summary>
/// A <see cref="ProcessCondition"/>: waits and notifies between threads and processes, the lock rules, timeouts,
/// cancellation, and notifies that count only live waiters.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class ProcessConditionTests
{
    [Fact]
    public void WaitWithoutTheLock_AndNotifyWithoutIt_ThrowClearErrors()
    {
        using var ready = new ProcessCondition();
        var wait = Assert.Throws<SynchronizationLockException>(() => ready.Wait(TimeSpan.Zero));
        Assert.Contains("acquire it first", wait.Message, StringComparison.Ordinal);
        var notify = Assert.Throws<SynchronizationLockException>(() => ready.Notify());
        Assert.Contains("requires holding its ProcessReentrantLock", notify.Message, StringComparison.Ordinal);
        Assert.Equal(0, ready.WaitingCount);
    }

    [Fact]
    public void WaitTimesOut_ReturnsFalse_WithTheLockHeldAgain_AndTheCountRestored()
    {
        using var ready = new ProcessCondition();
        using (ready.Acquire())
        using (ready.Acquire())
        {
            Assert.False(ready.Wait(TimeSpan.FromMilliseconds(30)));
            Assert.True(ready.Lock.IsHeldByCurrentThread);
            Assert.Equal(2, ((ProcessReentrantLock)ready.Lock).RecursionCount);
            Assert.Equal(0, ready.WaitingCount);
        }
        Assert.False(ready.Lock.IsHeld);
    }

    [Fact]
    public async Task NotifyWakesOneWaiter_NotifyAllTheRest_BetweenThreads()
    {
        using var gate = new ProcessLock();
        using var ready = new ProcessCondition(gate);
        int woken = 0;
        var waiters = Enumerable.Range(0, 3).Select(_ => QueueViews.OnThread(() =>
        {
            using (ready.Acquire(Bounded.Limit))
            {
                bool notified = ready.Wait(Bounded.Limit);
                Interlocked.Increment(ref woken);
                return notified;
            }
        })).ToArray();
        Bounded.Until(() => ready.WaitingCount == 3, "three threads wait");
        using (gate.Acquire())
        {
            Assert.Equal(1, ready.Notify());
        }
        Bounded.Until(() => Volatile.Read(ref woken) == 1, "one waiter wakes");
        Assert.Equal(2, ready.WaitingCount);
        using (gate.Acquire())
        {
            Assert.Equal(2, ready.NotifyAll());
        }
        Assert.All(await Bounded.Within(Task.WhenAll(waiters)), Assert.True);
        Assert.Equal(3, woken);
    }

    [Fact]
    public async Task WaitFor_ReturnsWhenThePredicateHolds_AndFalseWhenTheTimeRunsOut()
    {
        using var ready = new ProcessCondition();
        int value = 0;
        var waiter = QueueViews.OnThread(() =>
        {
            using (ready.Acquire(Bounded.Limit))
            {
                return ready.WaitFor(() => Volatile.Read(ref value) == 2, Bounded.Limit);
            }
        });
        Bounded.Until(() => ready.WaitingCount == 1, "the thread waits");
        for (int i = 1; i <= 2; i++)
        {
            using (ready.Acquire())
            {
                Volatile.Write(ref value, i);
                ready.NotifyAll();
            }
        }
        Assert.True(await Bounded.Within(waiter));
        using (ready.Acquire())
        {
            Assert.False(ready.WaitFor(() => false, TimeSpan.FromMilliseconds(30)));
        }
    }

    [Fact]
    public async Task AsyncWait_IsNotifiedAndHoldsTheLockAgain_CancellationReacquiresFirst()
    {
        using var ready = new ProcessCondition(new ProcessLock());
        try
        {
            var scope = await ready.AcquireAsync();
            var waiting = ready.WaitAsync(scope, Bounded.Limit);
            Bounded.Until(() => ready.WaitingCount == 1, "the scope waits");
            Bounded.Result(QueueViews.OnThread(() =>
            {
                using (ready.Acquire(Bounded.Limit))
                {
                    return ready.Notify();
                }
            }));
            Assert.True(await Bounded.Within(waiting));
            Assert.Equal(Environment.ProcessId, ready.Lock.OwnerProcessId);
            using var cancel = new CancellationTokenSource();
            var cancelled = ready.WaitForAsync(scope, () => false, cancel.Token);
            Bounded.Until(() => ready.WaitingCount == 1, "the scope waits again");
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(cancelled));
            Assert.True(ready.Lock.IsHeld);
            scope.Dispose();
            Assert.False(ready.Lock.IsHeld);
        }
        finally
        {
            ready.Lock.Dispose();
        }
    }

    [Fact]
    public void TwoProcesses_HandATokenBackAndForth()
    {
        using var turn = new ProcessCondition();
        using var whose = new SharedValue<int>(withLock: false);
        const int Rounds = 50;
        var child = ChildProcess.Create(PassBack, (turn, whose, Rounds));
        child.Start();
        for (int i = 0; i < Rounds; i++)
        {
            using (turn.Acquire(Bounded.Limit))
            {
                Assert.True(turn.WaitFor(() => whose.Read() == 0, Bounded.Limit));
                whose.Write(1);
                turn.NotifyAll();
            }
        }
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
    }

    /// <summary>The child's half of the token game: waits for the token (1), gives it back (0).</summary>
    internal static void PassBack((ProcessCondition Turn, SharedValue<int> Whose, int Rounds) game)
    {
        for (int i = 0; i < game.Rounds; i++)
        {
            using (game.Turn.Acquire(Bounded.Limit))
            {
                if (!game.Turn.WaitFor(() => game.Whose.Read() == 1, Bounded.Limit))
                {
                    throw new TimeoutException("the parent never passed the token");
                }
                game.Whose.Write(0);
                game.Turn.NotifyAll();
            }
        }
    }

    [Fact]
    public void ReceivedWithItsLockSeparately_BothAreOneLockInTheChild()
    {
        using var gate = new ProcessLock();
        using var ready = new ProcessCondition(gate);
        using var done = new ProcessEvent();
        var child = new ChildProcess(() =>
        {
            // The lock and the condition arrive as two objects; acquiring one and waiting on the other works.
            using (gate.Acquire(Bounded.Limit))
            {
                if (!ready.Wait(Bounded.Limit))
                {
                    throw new TimeoutException("not notified");
                }
                if (!gate.IsHeldByCurrentThread)
                {
                    throw new InvalidOperationException("the wait did not take the lock back");
                }
            }
            done.Set();
        });
        child.Start();
        Bounded.Until(() => ready.WaitingCount == 1, "the child waits");
        using (gate.Acquire(Bounded.Limit))
        {
            Assert.Equal(1, ready.Notify());
        }
        Assert.True(done.Wait(Bounded.Limit));
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
    }
}
