using Concur.Tests.Support;

namespace Concur.Tests.Threading;

public class ReentrantLockTests
{
    [Fact]
    public void Acquire_Twice_BySameThread_NeedsTwoReleases()
    {
        var gate = new ReentrantLock();
        gate.Acquire();
        gate.Acquire();
        Assert.Equal(2, gate.RecursionCount);
        gate.Release();
        Assert.True(gate.IsHeldByCurrentThread);
        gate.Release();
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public void NestedScopes_ReleaseInnermostFirst()
    {
        var gate = new ReentrantLock();
        using (gate.Acquire())
        {
            using (gate.Acquire())
            {
                Assert.True(gate.TryAcquire());
                gate.Release();
            }
            Assert.True(gate.IsHeldByCurrentThread);
        }
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public void Release_Unacquired_Throws()
    {
        var gate = new ReentrantLock("unheld");
        Assert.Throws<SynchronizationLockException>(gate.Release);
    }

    [Fact]
    public void Release_FromAnotherThread_ThrowsAndKeepsCount()
    {
        var gate = new ReentrantLock();
        gate.Acquire();
        gate.Acquire();
        Exception? error = null;
        var other = new Thread(() => error = Record.Exception(gate.Release));
        other.Start();
        Bounded.Join(other);
        Assert.IsType<SynchronizationLockException>(error);
        Assert.Equal(2, gate.RecursionCount);
        gate.Release();
        gate.Release();
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public void TryAcquire_HeldByOtherThread_FalseUntilFullyReleased()
    {
        var gate = new ReentrantLock();
        using var held = new ManualResetEventSlim();
        using var releaseOnce = new ManualResetEventSlim();
        using var releasedOnce = new ManualResetEventSlim();
        using var releaseAll = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            gate.Acquire();
            gate.Acquire();
            held.Set();
            releaseOnce.Wait(Bounded.Limit);
            gate.Release();
            releasedOnce.Set();
            releaseAll.Wait(Bounded.Limit);
            gate.Release();
        });
        holder.Start();
        Assert.True(held.Wait(Bounded.Limit));
        Assert.False(gate.TryAcquire());
        releaseOnce.Set();
        Assert.True(releasedOnce.Wait(Bounded.Limit));
        Assert.False(gate.TryAcquire(TimeSpan.FromMilliseconds(10)));
        releaseAll.Set();
        Bounded.Join(holder);
        Assert.True(gate.TryAcquire(TimeSpan.FromSeconds(5)));
        gate.Release();
    }

    [Fact]
    public void Acquire_ManyThreadsReentering_ProtectsTheCriticalSection()
    {
        var gate = new ReentrantLock();
        var counter = 0;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                using (gate.Acquire())
                using (gate.Acquire())
                {
                    counter++;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(Bounded.Join);
        Assert.Equal(20_000, counter);
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public async Task AcquireAsync_IsNotReentrant_EachAcquisitionIsItsOwnOwner()
    {
        var gate = new ReentrantLock();
        var first = await gate.AcquireAsync();
        var second = await gate.TryAcquireAsync(TimeSpan.FromMilliseconds(20));
        Assert.False(second.IsAcquired);
        first.Dispose();
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public void Scope_InnerDisposedTwice_OuterHoldStands()
    {
        var gate = new ReentrantLock();
        using var outer = gate.Acquire();
        var inner = gate.Acquire();
        inner.Dispose();
        inner.Dispose(); // Released once: the outer scope's hold is not taken away.
        Assert.True(gate.IsHeldByCurrentThread);
    }
}
