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
    public void AThreadThatExitedHoldingTheLock_DoesNotPassItsHoldToTheNextThreadGivenItsId()
    {
        using var ledger = new ProcessReentrantLock();
        int deadId = HoldAndExit(ledger);
        // A managed id is free again once its dead thread's object is collected; .NET then gives a new thread the
        // lowest free id: threads kept alive use up the ids below the dead one's until a new thread gets exactly it.
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        using var done = new ManualResetEventSlim();
        var parked = new List<Thread>();
        (bool Held, bool Took, Exception? Release)? seen = null;
        try
        {
            for (int attempt = 0; attempt < 1000 && seen is null; attempt++)
            {
                var candidate = new Thread(() =>
                {
                    if (Environment.CurrentManagedThreadId == deadId)
                    {
                        seen = (ledger.IsHeldByCurrentThread, ledger.TryAcquire(), Record.Exception(ledger.Release));
                        return;
                    }
                    done.Wait(Bounded.Limit);
                });
                candidate.Start();
                parked.Add(candidate);
                Assert.True(SpinWait.SpinUntil(() => seen is not null || candidate.ThreadState.HasFlag(ThreadState.WaitSleepJoin), Bounded.Limit));
            }
        }
        finally
        {
            done.Set();
            foreach (Thread t in parked)
            {
                Assert.True(t.Join(Bounded.Limit));
            }
        }
        Assert.NotNull(seen);
        Assert.False(seen.Value.Held, "a new thread with a dead holder's id does not hold the lock");
        Assert.False(seen.Value.Took, "it cannot re-enter the dead thread's hold");
        Assert.IsType<SynchronizationLockException>(seen.Value.Release);
        Assert.True(ledger.IsHeld);
    }

    /// <summary>Takes the lock on a new thread that then exits holding it (a caller's bug, made on purpose); returns that thread's managed id.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int HoldAndExit(ProcessReentrantLock ledger)
    {
        int id = 0;
        var holder = new Thread(() =>
        {
            Assert.True(ledger.TryAcquire());
            id = Environment.CurrentManagedThreadId;
        });
        holder.Start();
        Assert.True(holder.Join(Bounded.Limit));
        return id;
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
