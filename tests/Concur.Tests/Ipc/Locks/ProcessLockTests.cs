using Concur.Tests.Ipc.Queues;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Locks;

/// <summary>A <see cref="ProcessLock"/> within one process: the shape of <see cref="ExclusiveLock"/>, between threads and tasks.</summary>
public sealed class ProcessLockTests
{
    [Fact]
    public void Acquire_ThenDispose_FreesTheLock_AndNothingDied()
    {
        using var gate = new ProcessLock();
        Assert.False(gate.IsHeld);
        using (var held = gate.Acquire())
        {
            Assert.True(held.IsAcquired);
            Assert.False(held.PreviousOwnerDied);
            Assert.True(gate.IsHeld);
            Assert.True(gate.IsHeldByCurrentThread);
            Assert.Equal(Environment.ProcessId, gate.OwnerProcessId);
        }
        Assert.False(gate.IsHeld);
        Assert.Equal(0, gate.OwnerProcessId);
    }

    [Fact]
    public void ScopeDisposedTwice_ReleasesOnce()
    {
        using var gate = new ProcessLock();
        var held = gate.Acquire();
        held.Dispose();
        held.Dispose();
        Assert.False(gate.IsHeld);
        Assert.True(gate.TryAcquire());
        gate.Release();
    }

    [Fact]
    public void AcquireAgainOnTheSameThread_Throws_InsteadOfWaitingForever()
    {
        using var gate = new ProcessLock();
        using var held = gate.Acquire();
        Assert.Throws<LockRecursionException>(() => gate.Acquire(Bounded.Limit));
        Assert.Throws<LockRecursionException>(() => gate.TryAcquire());
    }

    [Fact]
    public void ReleaseByAnotherThread_Throws()
    {
        using var gate = new ProcessLock();
        Assert.True(gate.TryAcquire());
        var error = Bounded.Result(QueueViews.OnThread(() => Record.Exception(gate.Release)));
        Assert.IsType<SynchronizationLockException>(error);
        gate.Release();
        Assert.Throws<SynchronizationLockException>(gate.Release);
    }

    [Fact]
    public async Task HeldByAnotherThread_TryAcquireFails_TimeoutPasses_TokenCancels()
    {
        using var gate = new ProcessLock();
        // The holder is a dedicated thread: the test's own code resumes on pool threads after each await, and one of
        // them could be the thread that took the lock (then the acquire is a refused recursion, not a wait).
        using var acquired = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            using (gate.Acquire(Bounded.Limit))
            {
                acquired.Set();
                release.Wait(Bounded.Limit);
            }
        });
        holder.Start();
        Assert.True(acquired.Wait(Bounded.Limit), "the holder thread took the lock");
        try
        {
            Assert.False(await QueueViews.OnThread(gate.TryAcquire));
            Assert.False(await QueueViews.OnThread(() => gate.TryAcquire(TimeSpan.FromMilliseconds(30))));
            await Assert.ThrowsAsync<TimeoutException>(() => QueueViews.OnThread(() => gate.Acquire(TimeSpan.FromMilliseconds(30))));
            using var cancel = new CancellationTokenSource();
            Task waiting = QueueViews.OnThread(() => gate.Acquire(cancel.Token));
            Bounded.Until(() => gate.Memory.Lock.Waiters > 0, "the other thread waits for the lock");
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
            Assert.False((await gate.TryAcquireAsync(TimeSpan.FromMilliseconds(30))).IsAcquired);
            await Assert.ThrowsAsync<TimeoutException>(async () => await gate.AcquireAsync(TimeSpan.FromMilliseconds(30)));
            using var cancelAsync = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await gate.AcquireAsync(cancelAsync.Token));
        }
        finally
        {
            release.Set();
            Bounded.Join(holder);
        }
    }

    [Fact]
    public async Task ReleasedByTheHolder_AWaitingThreadAndAWaitingTaskGetIt()
    {
        using var gate = new ProcessLock();
        var held = gate.Acquire();
        Task<bool> thread = QueueViews.OnThread(() =>
        {
            using var scope = gate.Acquire(Bounded.Limit);
            return scope.PreviousOwnerDied;
        });
        Task<bool> task = Task.Run(async () =>
        {
            using var scope = await gate.AcquireAsync(Bounded.Limit);
            return scope.PreviousOwnerDied;
        });
        Bounded.Until(() => gate.Memory.Lock.Waiters >= 1, "a waiter waits");
        held.Dispose();
        bool[] died = await Bounded.Within(Task.WhenAll(thread, task));
        Assert.Equal(new[] { false, false }, died);
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public async Task ManyThreadsAndTasks_NeverInsideTogether()
    {
        using var gate = new ProcessLock();
        int inside = 0;
        int total = 0;
        void Enter()
        {
            Assert.Equal(1, Interlocked.Increment(ref inside));
            total++;
            Interlocked.Decrement(ref inside);
        }
        var threads = Enumerable.Range(0, 3).Select(_ => QueueViews.OnThread(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                using var scope = gate.Acquire(Bounded.Limit);
                Enter();
            }
            return 0;
        }));
        var tasks = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 300; i++)
            {
                using var scope = await gate.AcquireAsync(Bounded.Limit);
                Enter();
            }
            return 0;
        }));
        await Bounded.Within(Task.WhenAll(threads.Concat(tasks)));
        Assert.Equal(3 * 2000 + 2 * 300, total);
    }

    [Fact]
    public void Disposed_Throws_AndDescribesItself()
    {
        var gate = new ProcessLock();
        Assert.Equal("ProcessLock (free)", gate.ToString());
        gate.Dispose();
        Assert.Throws<ObjectDisposedException>(() => gate.Acquire());
        Assert.Equal("ProcessLock (disposed in this process)", gate.ToString());
        Assert.Equal("ProcessLockScope (holds nothing)", default(ProcessLockScope).ToString());
    }
}
