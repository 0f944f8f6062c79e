using System.Collections.Concurrent;
using System.Diagnostics;
using Concur.Tests.Support;

namespace Concur.Tests.Threading;

/// <summary>
/// The behaviour every Concur semaphore shares, run against <see cref="CountingSemaphore"/> and
/// <see cref="BoundedSemaphore"/> (which derives from it) (CPython's BaseSemaphoreTests in Lib/test/lock_tests.py, plus cancellation and the
/// async twins).
/// </summary>
public abstract partial class SemaphoreContractTests
{
    protected abstract CountingSemaphore Create(int initialCount = 1, string? name = null);

    /// <summary>
    /// Creates a semaphore with <paramref name="permits"/> permits and takes them all, so that it starts empty but
    /// may be released <paramref name="permits"/> times (a bounded semaphore created with 0 could never be released).
    /// </summary>
    private CountingSemaphore CreateDrained(int permits)
    {
        var sem = Create(permits);
        for (int i = 0; i < permits; i++)
        {
            Assert.True(sem.TryAcquire());
        }
        return sem;
    }

    /// <summary>Creates the semaphore with its parameterless defaults (<c>new X()</c>).</summary>
    protected abstract CountingSemaphore CreateDefault();

    [Fact]
    public void Constructor_NegativeInitialCount_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(int.MinValue));
    }

    [Fact]
    public void Constructor_NoArguments_HasOnePermit()
    {
        var sem = CreateDefault();
        Assert.Equal(1, sem.CurrentCount);
        Assert.True(sem.TryAcquire());
        Assert.False(sem.TryAcquire());
    }

    [Fact]
    public void Constructor_Zero_HasNoPermit()
    {
        var sem = Create(0);
        Assert.Equal(0, sem.CurrentCount);
        Assert.False(sem.TryAcquire());
    }

    [Fact]
    public void Acquire_WithinCount_DoesNotBlock()
    {
        var sem = Create(2);
        var first = sem.Acquire();
        var second = sem.Acquire();
        Assert.Equal(0, sem.CurrentCount);
        first.Dispose();
        second.Dispose();
        Assert.Equal(2, sem.CurrentCount);
    }

    [Fact]
    public void TryAcquire_NoPermitLeft_ReturnsFalseUntilReleased()
    {
        var sem = Create(2);
        Assert.True(sem.TryAcquire());
        Assert.True(sem.TryAcquire());
        Assert.False(sem.TryAcquire());
        sem.Release();
        Assert.True(sem.TryAcquire());
    }

    [Fact]
    public void TryAcquire_ContendedByManyThreads_ExactlyTheAvailablePermitsSucceed()
    {
        var sem = Create(4);
        sem.Acquire();
        var results = new ConcurrentQueue<bool>();
        var bunch = TestThreads.StartMany(5, _ =>
        {
            results.Enqueue(sem.TryAcquire());
            results.Enqueue(sem.TryAcquire());
        });
        bunch.Join();
        Assert.Equal(3, results.Count(r => r));
        Assert.Equal(7, results.Count(r => !r));
    }

    [Fact]
    public void Release_WhileThreadsWait_WakesExactlyAsManyAsReleased()
    {
        // CPython's test_acquire_contended: 7 permits, one taken; 10 threads each take two.
        var sem = Create(7);
        sem.Acquire();
        int phase = 0;
        var acquiredIn = new ConcurrentQueue<int>();
        var bunch = TestThreads.StartMany(10, _ =>
        {
            sem.Acquire();
            acquiredIn.Enqueue(Volatile.Read(ref phase));
            sem.Acquire();
            acquiredIn.Enqueue(Volatile.Read(ref phase));
        });
        Bounded.Until(() => acquiredIn.Count == 6, "the six free permits are taken");
        Assert.Equal(0, sem.CurrentCount);
        Assert.All(acquiredIn, p => Assert.Equal(0, p));

        Volatile.Write(ref phase, 1);
        for (int i = 0; i < 7; i++)
        {
            sem.Release();
        }
        Bounded.Until(() => acquiredIn.Count == 13, "seven more permits are taken");
        Assert.Equal(0, sem.CurrentCount);
        Assert.Equal(7, acquiredIn.Count(p => p == 1));

        Volatile.Write(ref phase, 2);
        for (int i = 0; i < 6; i++)
        {
            sem.Release();
        }
        Bounded.Until(() => acquiredIn.Count == 19, "six more permits are taken");
        Assert.Equal(6, acquiredIn.Count(p => p == 2));
        Assert.False(sem.TryAcquire(), "every permit is taken: one thread still waits");

        sem.Release();
        bunch.Join();
        Assert.Equal(20, acquiredIn.Count);
    }

    [Fact]
    public void Release_ManyAtOnce_WakesThatManyWaiters()
    {
        var sem = CreateDrained(5);
        int acquired = 0;
        var bunch = TestThreads.StartMany(5, _ =>
        {
            sem.Acquire();
            Interlocked.Increment(ref acquired);
        });
        Bounded.Until(() => bunch.AllBlockedOrDone, "all five threads wait");
        Assert.Equal(0, Volatile.Read(ref acquired));

        sem.Release(3);
        Bounded.Until(() => Volatile.Read(ref acquired) == 3, "three threads got a permit");
        Assert.Equal(0, sem.CurrentCount);

        sem.Release(2);
        bunch.Join();
        Assert.Equal(5, acquired);
        Assert.Equal(0, sem.CurrentCount);
    }

    [Fact]
    public async Task Release_ManyAtOnce_WakesBlockingAndAsyncWaitersAlike()
    {
        var sem = CreateDrained(4);
        var blocking = TestThreads.StartMany(2, _ => sem.Acquire());
        var awaiting = Enumerable.Range(0, 2).Select(_ => sem.AcquireAsync().AsTask()).ToArray();
        Bounded.Until(() => blocking.AllBlockedOrDone, "both threads wait");

        sem.Release(4);
        blocking.Join();
        await Bounded.Within(Task.WhenAll(awaiting));
        Assert.Equal(0, sem.CurrentCount);
    }

    [Fact]
    public void Release_CountBelowOne_ThrowsArgumentOutOfRange()
    {
        var sem = Create(1);
        sem.Acquire();
        Assert.Throws<ArgumentOutOfRangeException>(() => sem.Release(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sem.Release(-1));
        Assert.Equal(0, sem.CurrentCount);
    }

    [Fact]
    public void Release_FromAnotherThread_IsAllowed()
    {
        var sem = Create(1);
        sem.Acquire();
        var releaser = TestThreads.StartMany(1, _ => sem.Release());
        releaser.Join();
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public void TryAcquire_TimeoutElapses_ReturnsFalseAfterRoughlyTheTimeout()
    {
        var sem = Create(2);
        Assert.True(sem.TryAcquire(TimeSpan.FromMilliseconds(5)));
        Assert.True(sem.TryAcquire(TimeSpan.FromMilliseconds(5)));
        Assert.False(sem.TryAcquire(TimeSpan.FromMilliseconds(5)));
        sem.Release();
        Assert.True(sem.TryAcquire(TimeSpan.FromMilliseconds(5)));

        var timeout = TimeSpan.FromMilliseconds(200);
        var watch = Stopwatch.StartNew();
        Assert.False(sem.TryAcquire(timeout));
        Assert.True(watch.Elapsed >= timeout * 0.8, $"returned after {watch.Elapsed}, before the timeout of {timeout}");
    }

    [Fact]
    public void TryAcquire_ZeroTimeout_DoesNotWait()
    {
        var sem = Create(1);
        Assert.True(sem.TryAcquire(TimeSpan.Zero));
        Assert.False(sem.TryAcquire(TimeSpan.Zero));
    }

    [Fact]
    public void TryAcquire_InfiniteTimeoutWithPermit_ReturnsTrue()
    {
        var sem = Create(1);
        Assert.True(sem.TryAcquire(Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public async Task TryAcquire_NegativeTimeout_ThrowsArgumentOutOfRange()
    {
        var sem = Create(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sem.TryAcquire(TimeSpan.FromMilliseconds(-2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => sem.TryAcquire(TimeSpan.FromDays(-1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => sem.TryAcquireAsync(TimeSpan.FromMilliseconds(-2)));
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public void TryAcquire_WaiterReleasedByAnotherThread_ReturnsTrue()
    {
        var sem = CreateDrained(1);
        bool result = false;
        var waiter = TestThreads.StartMany(1, _ => result = sem.TryAcquire(Bounded.Limit));
        Bounded.Until(() => waiter.AllBlockedOrDone, "the waiter blocks");
        sem.Release();
        waiter.Join();
        Assert.True(result);
    }

    [Fact]
    public void Acquire_PreCancelledToken_ThrowsWithoutTakingAPermit()
    {
        var sem = Create(1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => sem.Acquire(cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => sem.TryAcquire(TimeSpan.Zero, cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => sem.TryAcquire(Timeout.InfiniteTimeSpan, cts.Token));
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public async Task AcquireAsync_PreCancelledToken_IsCancelledWithoutTakingAPermit()
    {
        var sem = Create(1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sem.AcquireAsync(cts.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sem.TryAcquireAsync(TimeSpan.FromSeconds(1), cts.Token));
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public void Acquire_CancelledWhileWaiting_ThrowsAndTakesNoPermit()
    {
        var sem = CreateDrained(1);
        using var cts = new CancellationTokenSource();
        Exception? caught = null;
        var waiter = TestThreads.StartMany(1, _ =>
        {
            try
            {
                sem.Acquire(cts.Token);
            }
            catch (Exception ex)
            {
                caught = ex;
            }
        });
        Bounded.Until(() => waiter.AllBlockedOrDone, "the waiter blocks");
        cts.Cancel();
        waiter.Join();
        Assert.IsAssignableFrom<OperationCanceledException>(caught);

        sem.Release();
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public void TryAcquire_CancelledWhileWaiting_Throws()
    {
        var sem = CreateDrained(1);
        using var cts = new CancellationTokenSource();
        Exception? caught = null;
        var waiter = TestThreads.StartMany(1, _ =>
        {
            try
            {
                sem.TryAcquire(Bounded.Limit, cts.Token);
            }
            catch (Exception ex)
            {
                caught = ex;
            }
        });
        Bounded.Until(() => waiter.AllBlockedOrDone, "the waiter blocks");
        cts.Cancel();
        waiter.Join();
        Assert.IsAssignableFrom<OperationCanceledException>(caught);
    }

    [Fact]
    public async Task AcquireAsync_CancelledWhileWaiting_IsCancelled()
    {
        var sem = CreateDrained(1);
        using var cts = new CancellationTokenSource();
        var acquiring = sem.AcquireAsync(cts.Token).AsTask();
        var trying = sem.TryAcquireAsync(Bounded.Limit, cts.Token);
        Assert.False(acquiring.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(acquiring));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(trying));
        sem.Release();
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public async Task AcquireAsync_PermitAvailable_CompletesSynchronously()
    {
        var sem = Create(1);
        var acquiring = sem.AcquireAsync();
        Assert.True(acquiring.IsCompletedSuccessfully);
        using (await acquiring)
        {
            Assert.Equal(0, sem.CurrentCount);
        }
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public async Task AcquireAsync_NoPermit_CompletesWhenReleased()
    {
        var sem = CreateDrained(1);
        var acquiring = sem.AcquireAsync().AsTask();
        Assert.False(acquiring.IsCompleted);
        sem.Release();
        var scope = await Bounded.Within(acquiring);
        Assert.True(scope.IsAcquired);
        Assert.Equal(0, sem.CurrentCount);
        scope.Dispose();
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public async Task TryAcquireAsync_TimeoutElapses_ReturnsFalseAfterRoughlyTheTimeout()
    {
        var sem = CreateDrained(1);
        Assert.False(await sem.TryAcquireAsync(TimeSpan.Zero));
        var timeout = TimeSpan.FromMilliseconds(200);
        var watch = Stopwatch.StartNew();
        Assert.False(await Bounded.Within(sem.TryAcquireAsync(timeout)));
        Assert.True(watch.Elapsed >= timeout * 0.8, $"returned after {watch.Elapsed}, before the timeout of {timeout}");
        sem.Release();
        Assert.True(await Bounded.Within(sem.TryAcquireAsync(timeout)));
        Assert.Equal(0, sem.CurrentCount);
    }

    [Fact]
    public void Acquire_WithTimeoutAndAPermit_ReturnsAScope()
    {
        var sem = Create(1);
        using (var scope = sem.Acquire(TimeSpan.Zero))
        {
            Assert.True(scope.IsAcquired);
            Assert.Equal(0, sem.CurrentCount);
        }
        Assert.Equal(1, sem.CurrentCount);
        sem.Acquire(Timeout.InfiniteTimeSpan).Dispose();
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public void Acquire_TimeoutElapses_ThrowsTimeoutNamingTheSemaphore()
    {
        var sem = Create(1, name: "slots");
        using var held = sem.Acquire();
        var timeout = TimeSpan.FromMilliseconds(100);
        var watch = Stopwatch.StartNew();
        var ex = Assert.Throws<TimeoutException>(() => sem.Acquire(timeout));
        Assert.True(watch.Elapsed >= timeout * 0.8, $"gave up after {watch.Elapsed}, before the timeout of {timeout}");
        Assert.Contains("'slots'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<TimeoutException>(() => sem.Acquire(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => sem.Acquire(TimeSpan.FromMilliseconds(-3)));
        Assert.Equal(0, sem.CurrentCount);
    }

    [Fact]
    public void Acquire_WithTimeoutCancelledWhileWaiting_Throws()
    {
        var sem = CreateDrained(1);
        using var cts = new CancellationTokenSource();
        Exception? caught = null;
        var waiter = TestThreads.StartMany(1, _ => caught = Record.Exception(() => sem.Acquire(Bounded.Limit, cts.Token)));
        Bounded.Until(() => waiter.AllBlockedOrDone, "the waiter blocks");
        cts.Cancel();
        waiter.Join();
        Assert.IsAssignableFrom<OperationCanceledException>(caught);
        using var preCancelled = new CancellationTokenSource();
        preCancelled.Cancel();
        sem.Release();
        Assert.ThrowsAny<OperationCanceledException>(() => sem.Acquire(TimeSpan.Zero, preCancelled.Token));
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public async Task AcquireAsync_WithTimeout_ReturnsAScopeOrThrowsTimeout()
    {
        var sem = Create(1);
        var immediate = sem.AcquireAsync(TimeSpan.Zero);
        Assert.True(immediate.IsCompletedSuccessfully);
        var scope = await immediate;
        await Assert.ThrowsAsync<TimeoutException>(() => sem.AcquireAsync(TimeSpan.Zero).AsTask());

        var timeout = TimeSpan.FromMilliseconds(100);
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(sem.AcquireAsync(timeout).AsTask()));
        Assert.True(watch.Elapsed >= timeout * 0.8, $"gave up after {watch.Elapsed}, before the timeout of {timeout}");

        var waiting = sem.AcquireAsync(Bounded.Limit).AsTask();
        Assert.False(waiting.IsCompleted);
        scope.Dispose();
        using (var second = await Bounded.Within(waiting))
        {
            Assert.True(second.IsAcquired);
        }
        Assert.Equal(1, sem.CurrentCount);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => sem.AcquireAsync(TimeSpan.FromMilliseconds(-3)).AsTask());
    }

    [Fact]
    public async Task AcquireAsync_WithTimeoutCancelled_IsCancelled()
    {
        var sem = CreateDrained(1);
        using var cts = new CancellationTokenSource();
        var waiting = sem.AcquireAsync(Bounded.Limit, cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sem.AcquireAsync(TimeSpan.Zero, cts.Token).AsTask());
        sem.Release();
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public void Scope_DisposedTwice_ReleasesOnce()
    {
        var sem = Create(2);
        var scope = sem.Acquire();
        var other = sem.Acquire();
        Assert.True(scope.IsAcquired);
        scope.Dispose();
        Assert.False(scope.IsAcquired);
        scope.Dispose();
        Assert.Equal(1, sem.CurrentCount);
        other.Dispose();
        Assert.Equal(2, sem.CurrentCount);
    }

    [Fact]
    public void Scope_Default_DisposeDoesNothing()
    {
        var scope = default(SemaphoreScope);
        Assert.False(scope.IsAcquired);
        scope.Dispose();
    }

    [Fact]
    public void Scope_Using_ReleasesAlsoWhenTheBodyThrows()
    {
        // CPython's test_with.
        var sem = Create(2);
        void Body(Exception? error)
        {
            using (sem.Acquire())
            {
                Assert.True(sem.TryAcquire());
                sem.Release();
                using (sem.Acquire())
                {
                    Assert.False(sem.TryAcquire());
                    if (error is not null)
                    {
                        throw error;
                    }
                }
            }
        }

        Body(null);
        Assert.Equal(2, sem.CurrentCount);
        Assert.Throws<InvalidOperationException>(() => Body(new InvalidOperationException("boom")));
        Assert.Equal(2, sem.CurrentCount);
    }

    [Fact]
    public void Scope_DisposedOnAnotherThread_ReleasesThePermit()
    {
        var sem = Create(1);
        var scope = sem.Acquire();
        var disposer = TestThreads.StartMany(1, _ => scope.Dispose());
        disposer.Join();
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public void Name_GivenAtConstruction_IsReportedByToString()
    {
        var sem = Create(3, name: "downloads");
        Assert.Equal("downloads", sem.Name);
        Assert.Contains("'downloads'", sem.ToString(), StringComparison.Ordinal);
        Assert.Contains("count 3", sem.ToString(), StringComparison.Ordinal);
        Assert.Null(Create(1).Name);
    }

    [Fact]
    public void AcquireRelease_ManyThreads_NeverMoreHoldersThanPermits()
    {
        const int permits = 3;
        var sem = Create(permits);
        int inside = 0;
        int maxInside = 0;
        var bunch = TestThreads.StartMany(6, _ =>
        {
            for (int i = 0; i < 2000; i++)
            {
                using (sem.Acquire())
                {
                    int now = Interlocked.Increment(ref inside);
                    int seen;
                    while ((seen = Volatile.Read(ref maxInside)) < now && Interlocked.CompareExchange(ref maxInside, now, seen) != seen)
                    {
                    }
                    Interlocked.Decrement(ref inside);
                }
            }
        });
        bunch.Join();
        Assert.InRange(maxInside, 1, permits);
        Assert.Equal(permits, sem.CurrentCount);
    }
}
