using Concur.Tests.Support;

namespace Concur.Tests.Threading;

public class ExclusiveLockTests
{
    [Fact]
    public void Acquire_FreeLock_HoldsItUntilScopeDisposed()
    {
        var gate = new ExclusiveLock("gate");
        Assert.False(gate.IsHeld);
        using (gate.Acquire())
        {
            Assert.True(gate.IsHeld);
            Assert.True(gate.IsHeldByCurrentThread);
        }
        Assert.False(gate.IsHeld);
        Assert.False(gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void TryAcquire_HeldByAnotherThread_ReturnsFalseWithoutWaiting()
    {
        var gate = new ExclusiveLock();
        using var holder = TestThreads.HoldLock(gate);

        Assert.False(gate.TryAcquire());
        Assert.False(gate.TryAcquire(TimeSpan.Zero));
        holder.Dispose();
        Assert.True(gate.TryAcquire());
        gate.Release();
    }

    [Fact]
    public void TryAcquire_Timeout_ReturnsFalseAfterWaitingAndLeavesLockUsable()
    {
        var gate = new ExclusiveLock();
        using var holder = TestThreads.HoldLock(gate);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(gate.TryAcquire(TimeSpan.FromMilliseconds(50)));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(40), $"returned after {watch.Elapsed}");
        Assert.Equal(0, gate.WaiterCount);

        holder.Dispose();
        using (gate.Acquire())
        {
            Assert.True(gate.IsHeldByCurrentThread);
        }
    }

    [Fact]
    public void Acquire_Contended_WaitsUntilReleased()
    {
        var gate = new ExclusiveLock();
        var scope = gate.Acquire();
        var acquired = false;
        var waiter = new Thread(() =>
        {
            using (gate.Acquire())
            {
                acquired = true;
            }
        });
        waiter.Start();
        Bounded.Until(() => gate.WaiterCount == 1, "the second thread waits for the lock");
        Assert.False(acquired);
        scope.Dispose();
        Bounded.Join(waiter);
        Assert.True(acquired);
    }

    [Fact]
    public void Acquire_ManyThreads_ProtectsTheCriticalSection()
    {
        var gate = new ExclusiveLock();
        var counter = 0;
        var inside = 0;
        var overlaps = 0;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                using (gate.Acquire())
                {
                    if (Interlocked.Increment(ref inside) != 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }
                    counter++;
                    Interlocked.Decrement(ref inside);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(Bounded.Join);
        Assert.Equal(80_000, counter);
        Assert.Equal(0, overlaps);
    }

    [Fact]
    public void Acquire_Contended_WakesWaitersInArrivalOrder()
    {
        var gate = new ExclusiveLock();
        var order = new List<int>();
        var scope = gate.Acquire();
        var threads = new List<Thread>();
        for (var i = 0; i < 4; i++)
        {
            var id = i;
            var thread = new Thread(() =>
            {
                using (gate.Acquire())
                {
                    order.Add(id);
                }
            });
            thread.Start();
            threads.Add(thread);
            Bounded.Until(() => gate.WaiterCount == id + 1, $"thread {id} queues");
        }
        scope.Dispose();
        threads.ForEach(Bounded.Join);
        Assert.Equal([0, 1, 2, 3], order);
    }

    [Fact]
    public void Release_NotHeld_ThrowsSynchronizationLockException()
    {
        var gate = new ExclusiveLock("orphan");
        var error = Assert.Throws<SynchronizationLockException>(gate.Release);
        Assert.Contains("orphan", error.Message);
        Assert.Contains("not held", error.Message);
    }

    [Fact]
    public void Release_ByAnotherThread_ThrowsAndKeepsTheOwner()
    {
        var gate = new ExclusiveLock("owned");
        using var scope = gate.Acquire();
        Exception? error = null;
        var other = new Thread(() => error = Record.Exception(gate.Release));
        other.Start();
        Bounded.Join(other);
        var syncError = Assert.IsType<SynchronizationLockException>(error);
        Assert.Contains("does not hold it", syncError.Message);
        Assert.True(gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void Acquire_AlreadyHeldBySameThread_ThrowsDeadlockException()
    {
        var gate = new ExclusiveLock("self");
        using (gate.Acquire())
        {
            var error = Assert.Throws<DeadlockException>(() => gate.Acquire());
            Assert.Single(error.Report.Cycle);
            Assert.Contains("self", error.Message);
            Assert.Contains("ReentrantLock", error.Message);
            Assert.False(gate.TryAcquire());
        }
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public void Acquire_CancelledWhileWaiting_ThrowsAndLeavesNoWaiter()
    {
        var gate = new ExclusiveLock();
        using var scope = gate.Acquire();
        using var cts = new CancellationTokenSource();
        Exception? error = null;
        var waiter = new Thread(() => error = Record.Exception(() => gate.Acquire(cts.Token)));
        waiter.Start();
        Bounded.Until(() => gate.WaiterCount == 1, "the waiter queues");
        cts.Cancel();
        Bounded.Join(waiter);
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(0, gate.WaiterCount);
        Assert.True(gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void Acquire_PreCancelledToken_ThrowsEvenWhenFree()
    {
        var gate = new ExclusiveLock();
        Assert.Throws<OperationCanceledException>(() => gate.Acquire(new CancellationToken(true)));
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public void AcquireWithTimeout_Contended_ThrowsTimeoutException()
    {
        var gate = new ExclusiveLock("busy");
        using var holder = TestThreads.HoldLock(gate);
        var error = Assert.Throws<TimeoutException>(() => gate.Acquire(TimeSpan.FromMilliseconds(10)));
        Assert.Contains("busy", error.Message);
        holder.Dispose();
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(-1000)]
    public void TryAcquire_NegativeTimeout_Throws(int milliseconds)
    {
        var gate = new ExclusiveLock();
        Assert.Throws<ArgumentOutOfRangeException>(() => gate.TryAcquire(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public async Task AcquireAsync_Contended_CompletesAfterReleaseOnAnyThread()
    {
        var gate = new ExclusiveLock();
        var first = await gate.AcquireAsync();
        var second = gate.AcquireAsync().AsTask();
        Assert.False(second.IsCompleted);
        first.Dispose();
        using var scope = await Bounded.Within(second);
        Assert.True(scope.IsAcquired);
        Assert.True(gate.IsHeld);
        Assert.False(gate.IsHeldByCurrentThread);
    }

    [Fact]
    public async Task TryAcquireAsync_TimesOut_ReturnsScopeThatHoldsNothing()
    {
        var gate = new ExclusiveLock();
        using var held = await gate.AcquireAsync();
        var scope = await gate.TryAcquireAsync(TimeSpan.FromMilliseconds(20));
        Assert.False(scope.IsAcquired);
        scope.Dispose();
        Assert.True(gate.IsHeld);
        Assert.Equal(0, gate.WaiterCount);
    }

    [Fact]
    public async Task AcquireAsyncWithTimeout_Contended_ThrowsTimeoutExceptionAndLeavesNoWaiter()
    {
        var gate = new ExclusiveLock("async-busy");
        using var held = await gate.AcquireAsync();
        var error = await Assert.ThrowsAsync<TimeoutException>(() => gate.AcquireAsync(TimeSpan.FromMilliseconds(20)).AsTask());
        Assert.Contains("async-busy", error.Message);
        Assert.Equal(0, gate.WaiterCount);
    }

    [Fact]
    public async Task AcquireAsyncWithTimeout_Free_ReturnsHeldScope()
    {
        var gate = new ExclusiveLock();
        using var scope = await gate.AcquireAsync(TimeSpan.FromSeconds(5));
        Assert.True(scope.IsAcquired);
        Assert.True(gate.IsHeld);
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_ThrowsAndLeavesNoWaiter()
    {
        var gate = new ExclusiveLock();
        using var held = await gate.AcquireAsync();
        using var cts = new CancellationTokenSource();
        var pending = gate.AcquireAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(pending));
        Assert.Equal(0, gate.WaiterCount);
    }

    [Fact]
    public async Task ReleaseOfAsyncScope_FromThreadRelease_Throws()
    {
        var gate = new ExclusiveLock();
        using var scope = await gate.AcquireAsync();
        Assert.Throws<SynchronizationLockException>(gate.Release);
    }

    [Fact]
    public void Name_Default_NamesTypeAndCreationSite()
    {
        var gate = new ExclusiveLock();
        Assert.StartsWith("ExclusiveLock#", gate.Name);
        Assert.Contains("ExclusiveLockTests.cs:", gate.Name);
        Assert.Contains(nameof(Name_Default_NamesTypeAndCreationSite), gate.Name);
        Assert.Equal("custom", new ExclusiveLock("custom").Name);
    }
}
