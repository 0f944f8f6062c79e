using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Locks;

/// <summary>ProcessSemaphore: Python's multiprocessing.Semaphore and BoundedSemaphore, within a process and across real child processes.</summary>
[Collection(IpcCollection.Name)]
public sealed class ProcessSemaphoreTests
{
    [Fact]
    public void Counts_AsPython_AndABoundedOneRefusesOverRelease()
    {
        using var semaphore = new ProcessSemaphore(initialCount: 2, maxCount: 3);
        Assert.Equal(2, semaphore.CurrentCount);
        Assert.Equal(3, semaphore.MaxCount);
        Assert.True(semaphore.TryAcquire());
        using (semaphore.Acquire(TimeSpan.Zero))
        {
            Assert.Equal(0, semaphore.CurrentCount);
            Assert.False(semaphore.TryAcquire());
            Assert.False(semaphore.TryAcquire(TimeSpan.FromMilliseconds(20)));
            Assert.Throws<TimeoutException>(() => semaphore.Acquire(TimeSpan.FromMilliseconds(20)));
        }
        Assert.Equal(1, semaphore.CurrentCount);
        semaphore.Release(2);
        Assert.Equal(3, semaphore.CurrentCount);
        var e = Assert.Throws<SemaphoreFullException>(() => semaphore.Release());
        Assert.Contains("more than its maximum of 3", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, semaphore.CurrentCount);
        Assert.Equal("ProcessSemaphore (value=3/3)", semaphore.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => semaphore.Release(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessSemaphore(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessSemaphore(2, maxCount: 1));
    }

    [Fact]
    public void Scope_ReleasesOnce()
    {
        using var semaphore = new ProcessSemaphore(1);
        var scope = semaphore.Acquire();
        Assert.True(scope.IsAcquired);
        scope.Dispose();
        scope.Dispose();
        Assert.False(scope.IsAcquired);
        Assert.Equal(1, semaphore.CurrentCount);
    }

    [Fact]
    public async Task Async_WaitsForARelease_AndCancellationTakesNothing()
    {
        using var semaphore = new ProcessSemaphore(0);
        Task<ProcessSemaphoreScope> waiting = semaphore.AcquireAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        semaphore.Release();
        using (await Bounded.Within(waiting))
        {
            Assert.Equal(0, semaphore.CurrentCount);
        }
        Assert.Equal(1, semaphore.CurrentCount);
        Assert.True(await semaphore.TryAcquireAsync(TimeSpan.Zero));
        Assert.False(await semaphore.TryAcquireAsync(TimeSpan.FromMilliseconds(20)));

        using var cancel = new CancellationTokenSource();
        Task<bool> cancelled = semaphore.TryAcquireAsync(Timeout.InfiniteTimeSpan, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(cancelled));
        semaphore.Release();
        Assert.Equal(1, semaphore.CurrentCount);
    }

    [Fact]
    public void ChildProcesses_NeverMoreInsideThanThePermits()
    {
        using var slots = new ProcessSemaphore(initialCount: 2, maxCount: 2);
        using var inside = new SharedValue<int>(0);
        using var most = new SharedValue<int>(0);
        var children = Enumerable.Range(0, 4).Select(_ => new ChildProcess(() =>
        {
            for (int round = 0; round < 50; round++)
            {
                using (slots.Acquire())
                {
                    int now = inside.Increment();
                    most.Update(m => Math.Max(m, now));
                    inside.Increment(-1);
                }
            }
        })).ToList();
        try
        {
            children.ForEach(c => c.Start());
            foreach (var child in children)
            {
                Assert.True(child.Join(Bounded.Limit));
                Assert.Equal(0, child.ExitCode);
            }
            Assert.InRange(most.Read(), 1, 2);
            Assert.Equal(2, slots.CurrentCount);
        }
        finally
        {
            foreach (var child in children.Where(c => c.IsAlive))
            {
                child.Kill();
                child.Join(Bounded.Limit);
            }
        }
    }

    [Fact]
    public async Task WaiterKilledWhileWaiting_BlocksNoOne()
    {
        using var semaphore = new ProcessSemaphore(0);
        using var started = new ProcessEvent();
        var child = new ChildProcess(() =>
        {
            started.Set();
            semaphore.Acquire(); // waits for ever: the test kills it here
        });
        child.Start();
        try
        {
            Assert.True(started.Wait(Bounded.Limit));
            child.Kill();
            Assert.True(child.Join(Bounded.Limit));
            Task<bool> waiting = Task.Run(() => semaphore.TryAcquire(Bounded.Limit));
            semaphore.Release();
            Assert.True(await Bounded.Within(waiting));
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
