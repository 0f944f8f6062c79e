using System.Diagnostics;
using Concur.Tests.Support;

namespace Concur.Tests.Threading;

public class ConditionTests
{
    [Fact]
    public void Constructor_NoLock_UsesReentrantLock()
    {
        var condition = new Condition();
        Assert.IsType<ReentrantLock>(condition.Lock);
        var exclusive = new ExclusiveLock();
        Assert.Same(exclusive, new Condition(exclusive).Lock);
    }

    [Fact]
    public async Task AcquireVariants_DelegateToTheLock()
    {
        var condition = new Condition(new ExclusiveLock());
        Assert.True(condition.TryAcquire());
        condition.Release();
        using (condition.Acquire(TimeSpan.FromSeconds(5)))
        {
            Assert.True(condition.Lock.IsHeldByCurrentThread);
        }
        using var scope = await condition.TryAcquireAsync(TimeSpan.FromSeconds(5));
        Assert.True(scope.IsAcquired);
        Assert.False((await condition.TryAcquireAsync(TimeSpan.Zero)).IsAcquired);
    }

    [Fact]
    public void Wait_WithoutLock_Throws()
    {
        var condition = new Condition();
        var error = Assert.Throws<SynchronizationLockException>(() => condition.Wait(TimeSpan.FromMilliseconds(1)));
        Assert.Contains("Acquire it first", error.Message);
    }

    [Fact]
    public void Notify_WithoutLock_Throws()
    {
        var condition = new Condition();
        Assert.Throws<SynchronizationLockException>(() => condition.Notify());
        Assert.Throws<SynchronizationLockException>(condition.NotifyAll);
    }

    [Fact]
    public void Wait_Timeout_ReturnsFalseAndHoldsLockAgain()
    {
        var condition = new Condition(new ExclusiveLock());
        using (condition.Acquire())
        {
            var watch = Stopwatch.StartNew();
            Assert.False(condition.Wait(TimeSpan.FromMilliseconds(30)));
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(20));
            Assert.True(condition.Lock.IsHeldByCurrentThread);
        }
    }

    [Fact]
    public void Wait_ReleasesLockWhileWaiting()
    {
        var condition = new Condition(new ExclusiveLock());
        var waiting = false;
        var waiter = new Thread(() =>
        {
            using (condition.Acquire())
            {
                waiting = true;
                condition.Wait(Bounded.Limit);
            }
        });
        waiter.Start();
        Bounded.Until(() => Volatile.Read(ref waiting) && !condition.Lock.IsHeld, "the waiter releases the lock");
        using (condition.Acquire())
        {
            condition.Notify();
        }
        Bounded.Join(waiter);
    }

    [Fact]
    public void Wait_ReentrantLockHeldTwice_ReleasesFullyAndRestoresCount()
    {
        var condition = new Condition();
        var reentrant = (ReentrantLock)condition.Lock;
        var counted = 0;
        var waiter = new Thread(() =>
        {
            using (condition.Acquire())
            using (condition.Acquire())
            {
                condition.WaitFor(() => Volatile.Read(ref counted) == 1, Bounded.Limit);
                Volatile.Write(ref counted, reentrant.RecursionCount);
            }
        });
        waiter.Start();
        Bounded.Until(() => condition.Lock.RecursionCount == 0 && !condition.Lock.IsHeld && waiter.ThreadState == System.Threading.ThreadState.WaitSleepJoin, "the waiter releases both holds");
        using (condition.Acquire())
        {
            Volatile.Write(ref counted, 1);
            condition.Notify();
        }
        Bounded.Join(waiter);
        Assert.Equal(2, counted);
    }

    [Fact]
    public void Notify_WakesExactlyN_NotifyAllWakesRest()
    {
        var condition = new Condition();
        var woken = 0;
        var waiting = 0;
        var threads = Enumerable.Range(0, 5).Select(_ => new Thread(() =>
        {
            using (condition.Acquire())
            {
                waiting++;
                condition.Wait(Bounded.Limit);
                woken++;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        Bounded.Until(() => { using (condition.Acquire()) { return waiting == 5; } }, "all five wait");

        using (condition.Acquire())
        {
            condition.Notify(2);
        }
        Bounded.Until(() => { using (condition.Acquire()) { return woken == 2; } }, "two wake");
        Assert.Equal(2, Read(condition, () => woken));

        using (condition.Acquire())
        {
            condition.NotifyAll();
        }
        threads.ForEach(Bounded.Join);
        Assert.Equal(5, woken);
    }

    [Fact]
    public void Notify_NoWaiters_DoesNothing()
    {
        var condition = new Condition();
        using (condition.Acquire())
        {
            condition.Notify();
            condition.NotifyAll();
        }
    }

    [Fact]
    public void WaitFor_PredicateAlreadyTrue_ReturnsAtOnce()
    {
        var condition = new Condition();
        using (condition.Acquire())
        {
            Assert.True(condition.WaitFor(() => true, TimeSpan.Zero));
        }
    }

    [Fact]
    public void WaitFor_Timeout_ReturnsPredicateValue()
    {
        var condition = new Condition();
        using (condition.Acquire())
        {
            Assert.False(condition.WaitFor(() => false, TimeSpan.FromMilliseconds(20)));
        }
    }

    [Fact]
    public void WaitFor_ProducerConsumer_SeesEveryItem()
    {
        var condition = new Condition(new ExclusiveLock());
        var items = new Queue<int>();
        var received = new List<int>();
        var consumer = new Thread(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                using (condition.Acquire())
                {
                    Assert.True(condition.WaitFor(() => items.Count > 0, Bounded.Limit));
                    received.Add(items.Dequeue());
                }
            }
        });
        consumer.Start();
        for (var i = 0; i < 1000; i++)
        {
            using (condition.Acquire())
            {
                items.Enqueue(i);
                condition.Notify();
            }
        }
        Bounded.Join(consumer);
        Assert.Equal(Enumerable.Range(0, 1000), received);
    }

    [Fact]
    public void Wait_Cancelled_ThrowsWithLockHeld()
    {
        var condition = new Condition();
        using var cts = new CancellationTokenSource();
        Exception? error = null;
        var heldAfter = false;
        var waiter = new Thread(() =>
        {
            using (condition.Acquire())
            {
                error = Record.Exception(() => condition.Wait(cts.Token));
                heldAfter = condition.Lock.IsHeldByCurrentThread;
            }
        });
        waiter.Start();
        Bounded.Until(() => waiter.ThreadState == System.Threading.ThreadState.WaitSleepJoin && !condition.Lock.IsHeld, "the waiter waits");
        cts.Cancel();
        Bounded.Join(waiter);
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.True(heldAfter);
    }

    [Fact]
    public async Task WaitAsync_NotifiedFromThread_CompletesWithLockHeld()
    {
        var condition = new Condition();
        var ready = false;
        var waiter = Task.Run(async () =>
        {
            using var scope = await condition.AcquireAsync();
            await condition.WaitForAsync(scope, () => ready, Bounded.Limit);
            return condition.Lock.IsHeld && !condition.Lock.IsHeldByCurrentThread;
        });
        Bounded.Until(() => condition.Lock.IsHeld == false && waiter.Status == TaskStatus.WaitingForActivation, "the async waiter waits");
        using (condition.Acquire())
        {
            ready = true;
            condition.Notify();
        }
        Assert.True(await Bounded.Within(waiter));
    }

    [Fact]
    public async Task WaitAsync_WithScopeFromSyncAcquire_Throws()
    {
        var condition = new Condition();
        using var scope = condition.Acquire();
        await Assert.ThrowsAsync<SynchronizationLockException>(() => condition.WaitAsync(scope, TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public async Task WaitAsync_Timeout_ReturnsFalse()
    {
        var condition = new Condition();
        using var scope = await condition.AcquireAsync();
        Assert.False(await condition.WaitAsync(scope, TimeSpan.FromMilliseconds(20)));
        Assert.True(condition.Lock.IsHeld);
    }

    private static T Read<T>(Condition condition, Func<T> read)
    {
        using (condition.Acquire())
        {
            return read();
        }
    }
}
