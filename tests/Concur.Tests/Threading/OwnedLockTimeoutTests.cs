namespace Concur.Tests.Threading;

/// <summary>
/// Timeouts longer than int.MaxValue milliseconds on the owned locks and the condition are refused on entry with
/// ArgumentOutOfRangeException, as every other Concur wait refuses them, and nothing is released or left queued.
/// </summary>
public sealed class OwnedLockTimeoutTests
{
    private static readonly TimeSpan s_tooLong = TimeSpan.FromDays(30);

    [Fact]
    public void Condition_WaitTimeoutLongerThanIntMaxMilliseconds_ThrowsOnEntryAndKeepsTheLock()
    {
        // On main the lock is released, the wait underneath throws, and the lock is never re-acquired: the caller's
        // `using` then fails with SynchronizationLockException, and a stale waiter stays in the condition's list.
        var condition = new Condition(new ExclusiveLock());
        var scope = condition.Acquire();
        try
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => condition.Wait(s_tooLong));
            Assert.Equal("timeout", error.ParamName);
            Assert.True(condition.Lock.IsHeldByCurrentThread, "the lock is still held after the refused wait");
            Assert.Throws<ArgumentOutOfRangeException>(() => condition.WaitFor(() => false, s_tooLong));
            Assert.True(condition.Lock.IsHeldByCurrentThread, "the lock is still held after the refused wait");
        }
        finally
        {
            if (condition.Lock.IsHeldByCurrentThread)
            {
                scope.Dispose();
            }
        }
    }

    [Fact]
    public void ExclusiveLock_TryAcquireTimeoutLongerThanIntMaxMilliseconds_ThrowsOnEntryEvenWhenFree()
    {
        // On main an uncontended TryAcquire(30 days) succeeds and a contended one throws the BCL's message from the
        // wait underneath; a semaphore refuses the same timeout at once with Concur's message.
        var gate = new ExclusiveLock();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => gate.TryAcquire(s_tooLong));
        Assert.Equal("timeout", error.ParamName);
        Assert.Contains("InfiniteTimeSpan", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => gate.Acquire(s_tooLong));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = gate.TryAcquireAsync(s_tooLong).AsTask(); });
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public void Semaphore_TimeoutLongerThanIntMaxMilliseconds_ThrowsOnEntry()
    {
        // The behaviour the two tests above ask of the locks.
        var semaphore = new BoundedSemaphore(1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => semaphore.TryAcquire(s_tooLong));
        Assert.Equal("timeout", error.ParamName);
        Assert.Equal(1, semaphore.CurrentCount);
    }
}
