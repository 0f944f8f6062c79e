using Concur.Tests.Support;
using Xunit.Abstractions;

namespace Concur.Tests.Threading.Deadlocks;

/// <summary>
/// Lock-order checking, switched on per lock so these tests do not change how any other test's locks behave.
/// Warn-policy tests are in <see cref="DeadlockSettingsTests"/>, because the warning callback is process-wide.
/// </summary>
public class LockOrderTests(ITestOutputHelper output)
{
    private static ExclusiveLock Checked(string name, LockOrderPolicy policy = LockOrderPolicy.Throw) =>
        new(name) { LockOrderChecking = policy };

    private static Exception? OnThread(string name, Action body)
    {
        var threads = new TestThreads();
        threads.Start(name, body);
        return Assert.Single(threads.JoinAll());
    }

    private static void TakeInOrder(params OwnedLock[] locks)
    {
        var scopes = new List<LockScope>();
        try
        {
            foreach (var l in locks)
            {
                scopes.Add(l.Acquire());
            }
        }
        finally
        {
            for (var i = scopes.Count - 1; i >= 0; i--)
            {
                scopes[i].Dispose();
            }
        }
    }

    [Fact]
    public void Acquire_OppositeOrderOnAnotherThread_ReportsInversionWithBothStacks()
    {
        var a = Checked("order-A");
        var b = Checked("order-B");
        var firstThread = 0;
        Assert.Null(OnThread("first", () =>
        {
            firstThread = Environment.CurrentManagedThreadId;
            TakeInOrder(a, b);
        }));

        var secondThread = 0;
        var error = OnThread("second", () =>
        {
            secondThread = Environment.CurrentManagedThreadId;
            using (b.Acquire())
            {
                try
                {
                    a.Acquire().Dispose();
                }
                finally
                {
                    Assert.False(a.IsHeld);
                }
            }
        });

        var violation = Assert.IsType<LockOrderException>(error).Violation;
        output.WriteLine(error!.Message);
        Assert.Equal($"thread \"second\" (id {secondThread})", violation.Thread);
        Assert.Equal(secondThread, violation.ManagedThreadId);
        Assert.Equal("order-B", violation.HeldLock);
        Assert.Equal("order-A", violation.AcquiredLock);
        var established = Assert.Single(violation.EstablishedOrder);
        Assert.Equal(("order-A", "order-B"), (established.Before, established.After));
        Assert.Equal($"thread \"first\" (id {firstThread})", established.Thread);
        Assert.Equal(firstThread, established.ManagedThreadId);
        Assert.Contains(nameof(TakeInOrder), established.Stack);
        Assert.DoesNotContain("Concur.OwnedLock", established.Stack);
        Assert.Contains(nameof(Acquire_OppositeOrderOnAnotherThread_ReportsInversionWithBothStacks), violation.AcquisitionStack);
        Assert.DoesNotContain("Concur.OwnedLock", violation.AcquisitionStack);
        Assert.StartsWith(
            $"Lock-order inversion (potential deadlock): thread \"second\" (id {secondThread}) acquires 'order-A' while holding 'order-B', but 'order-B' has been taken while holding 'order-A' before.",
            error!.Message);
        Assert.Contains($"thread \"first\" (id {firstThread}) acquired 'order-B' while holding 'order-A' at:", error.Message);
        Assert.False(a.IsHeld);
        Assert.False(b.IsHeld);
    }

    [Fact]
    public void Acquire_InvertedPairAgain_ThrowsEveryTime_AndKnownOrderStillWorks()
    {
        var a = Checked("again-A");
        var b = Checked("again-B");
        TakeInOrder(a, b);
        for (var i = 0; i < 3; i++)
        {
            using (b.Acquire())
            {
                Assert.Throws<LockOrderException>(() => a.Acquire());
                Assert.Throws<LockOrderException>(() => a.TryAcquire(TimeSpan.FromSeconds(1)));
            }
        }
        TakeInOrder(a, b);
        Assert.True(a.OrderNode.Knows(b.OrderNode));
        Assert.False(b.OrderNode.Knows(a.OrderNode));
    }

    [Fact]
    public void Acquire_CycleThroughThreeLocks_ReportsTheWholeEstablishedChain()
    {
        var a = Checked("chain-A");
        var b = Checked("chain-B");
        var c = Checked("chain-C");
        Assert.Null(OnThread("ab", () => TakeInOrder(a, b)));
        Assert.Null(OnThread("bc", () => TakeInOrder(b, c)));

        var error = Assert.IsType<LockOrderException>(OnThread("ca", () => TakeInOrder(c, a)));

        Assert.Equal(("chain-C", "chain-A"), (error.Violation.HeldLock, error.Violation.AcquiredLock));
        Assert.Equal(
            [("chain-A", "chain-B"), ("chain-B", "chain-C")],
            error.Violation.EstablishedOrder.Select(e => (e.Before, e.After)));
        Assert.Contains("(through 1 other lock)", error.Message);
    }

    [Fact]
    public void Acquire_ConsistentOrderManyTimes_NeverReports()
    {
        var locks = Enumerable.Range(0, 6).Select(i => Checked($"consistent-{i}")).ToArray();
        var threads = new TestThreads();
        for (var t = 0; t < 4; t++)
        {
            var seed = t;
            threads.Start($"consistent-{t}", () =>
            {
                var random = new Random(seed);
                for (var i = 0; i < 500; i++)
                {
                    var picked = locks.Where(_ => random.Next(2) == 0).ToArray();
                    TakeInOrder(picked);
                }
            });
        }
        Assert.All(threads.JoinAll(), Assert.Null);
    }

    [Fact]
    public void Acquire_ReentrantReacquireWhileHoldingALaterLock_AddsNoPair()
    {
        var outer = new ReentrantLock("reentrant-outer") { LockOrderChecking = LockOrderPolicy.Throw };
        var inner = Checked("reentrant-inner");
        using (outer.Acquire())
        using (inner.Acquire())
        using (outer.Acquire())
        {
            Assert.Equal(2, outer.RecursionCount);
        }
        Assert.False(inner.OrderNode.Knows(outer.OrderNode));
        TakeInOrder(outer, inner);
    }

    [Fact]
    public void ConditionWait_WhileHoldingAnotherLock_ReportsNothing()
    {
        var outer = Checked("condition-outer");
        var condition = new Condition(Checked("condition-inner"));
        var ready = false;
        using var waiting = new ManualResetEventSlim();
        var threads = new TestThreads();
        threads.Start("waiter", () =>
        {
            using (outer.Acquire())
            using (condition.Acquire())
            {
                waiting.Set();
                Assert.True(condition.WaitFor(() => ready, Bounded.Limit));
            }
        });
        threads.Start("notifier", () =>
        {
            Assert.True(waiting.Wait(Bounded.Limit));
            using (condition.Acquire())
            {
                ready = true;
                condition.NotifyAll();
            }
        });
        Assert.All(threads.JoinAll(), Assert.Null);
    }

    [Fact]
    public void Acquire_OneLockOptedOut_PairIsNotChecked()
    {
        var a = Checked("opt-out-A");
        var b = Checked("opt-out-B", LockOrderPolicy.Off);
        TakeInOrder(a, b);
        TakeInOrder(b, a);
        Assert.False(a.OrderNode.Knows(b.OrderNode));
        Assert.Equal(LockOrderPolicy.Off, b.LockOrderChecking);
        Assert.Null(new ExclusiveLock().LockOrderChecking);
    }

    [Fact]
    public void TryAcquire_WithoutWaiting_AddsNoPairButLaterLocksOrderAfterIt()
    {
        var a = Checked("try-A");
        var b = Checked("try-B");
        var c = Checked("try-C");
        using (a.Acquire())
        {
            Assert.True(b.TryAcquire());
            using (c.Acquire())
            {
            }
            b.Release();
        }
        Assert.False(a.OrderNode.Knows(b.OrderNode));
        Assert.True(b.OrderNode.Knows(c.OrderNode));
        Assert.True(a.OrderNode.Knows(c.OrderNode));
        using (c.Acquire())
        {
            Assert.Throws<LockOrderException>(() => b.Acquire());
        }
    }

    [Fact]
    public void ConditionWait_ReacquireWouldBreakTheOrder_ThrowsBeforeWaitingWithTheLockStillHeld()
    {
        var condition = new Condition(Checked("reacquire-condition"));
        var other = Checked("reacquire-other");
        var heldAfterRefusal = false;
        var error = OnThread("waiter", () =>
        {
            using (condition.Acquire())
            using (other.Acquire())
            {
                // condition-lock -> other is established; the wait's re-acquire would take them the other way round,
                // so the wait is refused before it releases anything.
                try
                {
                    condition.Wait(TimeSpan.FromMilliseconds(1));
                }
                finally
                {
                    heldAfterRefusal = condition.Lock.IsHeldByCurrentThread && condition.WaiterCount == 0;
                }
            }
        });
        Assert.IsType<LockOrderException>(error);
        Assert.True(heldAfterRefusal);
        Assert.False(condition.Lock.IsHeld);
        Assert.False(other.IsHeld);
    }
}
