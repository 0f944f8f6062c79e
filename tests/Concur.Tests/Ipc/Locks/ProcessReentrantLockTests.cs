using Concur.Tests.Ipc.Queues;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Locks;

/// <summary>A <see cref="ProcessReentrantLock"/>: re-entry by its thread, counts, errors, and a killed owner's takeover.</summary>
[Collection(IpcCollection.Name)]
public sealed class ProcessReentrantLockTests
{
    [Fact]
    public void TheOwnerReenters_AndTheLockIsFreeOnlyAfterAsManyReleases()
    {
        using var ledger = new ProcessReentrantLock();
        using (var outer = ledger.Acquire())
        {
            Assert.Equal(1, ledger.RecursionCount);
            using (ledger.Acquire(Bounded.Limit))
            {
                Assert.True(ledger.TryAcquire());
                Assert.Equal(3, ledger.RecursionCount);
                ledger.Release();
                Assert.Equal(2, ledger.RecursionCount);
            }
            Assert.True(ledger.IsHeld);
            Assert.False(Bounded.Result(QueueViews.OnThread(() => ledger.TryAcquire())));
        }
        Assert.False(ledger.IsHeld);
        Assert.Equal(0, ledger.RecursionCount);
        Assert.True(Bounded.Result(QueueViews.OnThread(() =>
        {
            bool taken = ledger.TryAcquire();
            ledger.Release();
            return taken;
        })));
    }

    [Fact]
    public void ReleaseByANonOwner_ThrowsSynchronizationLockException_ThatSaysWhy()
    {
        using var ledger = new ProcessReentrantLock();
        var error = Assert.Throws<SynchronizationLockException>(ledger.Release);
        Assert.Contains("does not hold this ProcessReentrantLock", error.Message, StringComparison.Ordinal);
        using var held = ledger.Acquire();
        var other = Bounded.Result(QueueViews.OnThread(() => Record.Exception(ledger.Release)));
        Assert.IsType<SynchronizationLockException>(other);
        Assert.Equal(1, ledger.RecursionCount);
    }

    [Fact]
    public async Task AsynchronousAcquisitions_AreEachTheirOwnOwner()
    {
        using var ledger = new ProcessReentrantLock();
        var first = await ledger.AcquireAsync();
        var second = await ledger.TryAcquireAsync(TimeSpan.FromMilliseconds(50));
        Assert.False(second.IsAcquired);
        first.Dispose();
        using var third = await ledger.AcquireAsync(Bounded.Limit);
        Assert.True(third.IsAcquired);
    }

    [Fact]
    public void HeldInAChild_ReenteredThere_AndReleased_ThenFreeHere()
    {
        using var ledger = new ProcessReentrantLock();
        var child = new ChildProcess(() =>
        {
            using var outer = ledger.Acquire(Bounded.Limit);
            using var inner = ledger.Acquire(Bounded.Limit);
            if (ledger.RecursionCount != 2)
            {
                throw new InvalidOperationException($"recursion {ledger.RecursionCount}");
            }
        });
        child.Start();
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
        using var here = ledger.Acquire(Bounded.Limit);
        Assert.False(here.PreviousOwnerDied);
    }

    [Fact]
    public void OwnerKilledHoldingItThreeTimes_TheNextAcquirerTakesItOver_WithACountOfOne()
    {
        using var ledger = new ProcessReentrantLock();
        using var control = new ProcessQueue<int>();
        var child = new ChildProcess(() =>
        {
            ledger.Acquire(Bounded.Limit);
            ledger.Acquire(Bounded.Limit);
            ledger.Acquire(Bounded.Limit);
            control.Put(1);
            Thread.Sleep(Timeout.Infinite);
        });
        child.Start();
        try
        {
            Assert.Equal(1, control.Get(Bounded.Limit));
            child.Kill();
            Assert.True(child.Join(Bounded.Limit));
            using (var held = ledger.Acquire(Bounded.Limit))
            {
                Assert.True(held.PreviousOwnerDied);
                Assert.Equal(1, ledger.RecursionCount);
            }
            Assert.False(ledger.IsHeld);
        }
        finally
        {
            if (child.IsAlive)
            {
                child.Kill();
                child.Join(Bounded.Limit);
            }
        }
    }
}
