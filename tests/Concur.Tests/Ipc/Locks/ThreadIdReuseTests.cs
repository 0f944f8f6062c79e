using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Locks;

/// <summary>Tests that need a particular managed thread id to be free run alone: a thread started by a test running
/// beside them could take it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadIdReuseCollection
{
    public const string Name = "Managed thread id reuse";
}

/// <summary>
/// A process lock's holder is a token no other thread of the process gets, not the managed thread id, which .NET
/// gives to a new thread once the old one is gone: a thread that exits holding a lock must not hand its hold on.
/// </summary>
[Collection(ThreadIdReuseCollection.Name)]
public sealed class ThreadIdReuseTests
{
    [Fact]
    public void AThreadThatExitedHoldingTheLock_DoesNotPassItsHoldToTheNextThreadGivenItsId()
    {
        using var ledger = new ProcessReentrantLock();
        (bool Held, bool Took, Exception? Release)? seen = null;
        // Another thread of the process (a thread pool's) may take the freed id first: then the scenario starts again.
        for (int round = 0; round < 5 && seen is null; round++)
        {
            seen = OnAThreadGivenTheIdOf(HoldAndExit(ledger), () =>
                (ledger.IsHeldByCurrentThread, ledger.TryAcquire(), Record.Exception(ledger.Release)));
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

    /// <summary>
    /// Runs <paramref name="look"/> on a new thread whose managed id is <paramref name="id"/>, or returns null if no new
    /// thread gets it. An id is free again once its dead thread's object is collected, and .NET gives a new thread the
    /// lowest free id: threads kept alive use up the ids below it until one gets exactly that id.
    /// </summary>
    private static T? OnAThreadGivenTheIdOf<T>(int id, Func<T> look)
        where T : struct
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        using var done = new ManualResetEventSlim();
        var parked = new List<Thread>();
        T? seen = null;
        bool passed = false;
        try
        {
            for (int attempt = 0; attempt < 500 && seen is null && !passed; attempt++)
            {
                var candidate = new Thread(() =>
                {
                    if (Environment.CurrentManagedThreadId == id)
                    {
                        seen = look();
                        return;
                    }
                    passed |= Environment.CurrentManagedThreadId > id; // Someone else has the id: no later thread gets it.
                    done.Wait(Bounded.Limit);
                });
                candidate.Start();
                parked.Add(candidate);
                Assert.True(SpinWait.SpinUntil(() => seen is not null || passed || candidate.ThreadState.HasFlag(ThreadState.WaitSleepJoin), Bounded.Limit));
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
        return seen;
    }
}
