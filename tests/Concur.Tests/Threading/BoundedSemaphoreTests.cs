using Concur.Tests.Support;

namespace Concur.Tests.Threading;

/// <summary>Tests of <see cref="BoundedSemaphore"/>: the shared semaphore contract plus CPython's BoundedSemaphoreTests.</summary>
public sealed class BoundedSemaphoreTests : SemaphoreContractTests
{
    [Fact]
    public void Release_PastTheInitialCount_ThrowsSemaphoreFull()
    {
        // CPython's BoundedSemaphoreTests.test_release_unacquired (Python raises ValueError).
        var sem = new BoundedSemaphore();
        Assert.Throws<SemaphoreFullException>(() => sem.Release());
        sem.Acquire();
        sem.Release();
        Assert.Throws<SemaphoreFullException>(() => sem.Release());
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public void Release_ManyPastTheBound_ReleasesNothing()
    {
        // CPython's test_multirelease: a release(n) that would pass the bound changes nothing.
        var sem = new BoundedSemaphore(7, name: "pool");
        for (int i = 0; i < 7; i++)
        {
            sem.Acquire();
        }
        sem.Release(3);
        Assert.Equal(3, sem.CurrentCount);
        var ex = Assert.Throws<SemaphoreFullException>(() => sem.Release(5));
        Assert.Equal(3, sem.CurrentCount);
        Assert.Contains("BoundedSemaphore 'pool'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was released", ex.Message, StringComparison.Ordinal);
        sem.Release(4);
        Assert.Equal(7, sem.CurrentCount);
        Assert.Throws<SemaphoreFullException>(() => sem.Release());
    }

    [Fact]
    public void Release_ScopeAfterManualRelease_ThrowsSemaphoreFull()
    {
        var sem = new BoundedSemaphore(1);
        var scope = sem.Acquire();
        sem.Release();
        Assert.Throws<SemaphoreFullException>(() => scope.Dispose());
        Assert.Equal(1, sem.CurrentCount);
    }

    [Fact]
    public void Release_ZeroBound_AlwaysThrows()
    {
        var sem = new BoundedSemaphore(0);
        Assert.Equal(0, sem.MaxCount);
        Assert.Throws<SemaphoreFullException>(() => sem.Release());
        Assert.Equal(0, sem.CurrentCount);
    }

    [Fact]
    public void MaxCount_IsTheInitialCount()
    {
        Assert.Equal(1, new BoundedSemaphore().MaxCount);
        Assert.Equal(5, new BoundedSemaphore(5).MaxCount);
    }

    [Fact]
    public void Release_ByAnotherThreadAsABinarySemaphore_WakesTheWaiter()
    {
        // The use CPython allows for Lock (release by another thread) is served by a bounded semaphore of 1.
        var signal = new BoundedSemaphore(1);
        signal.Acquire();
        bool got = false;
        var waiter = TestThreads.StartMany(1, _ => got = signal.TryAcquire(Support.Bounded.Limit));
        Support.Bounded.Until(() => waiter.AllBlockedOrDone, "the waiter blocks");
        var releaser = TestThreads.StartMany(1, _ => signal.Release());
        releaser.Join();
        waiter.Join();
        Assert.True(got);
    }

    [Fact]
    public void ToString_NoName_NamesTheKindCountAndBound()
    {
        Assert.Equal("BoundedSemaphore (count 1 of 1)", new BoundedSemaphore().ToString());
    }

    [Fact]
    public void ToString_PermitsTaken_ShowsCountOfBoundAsCPythonsValue()
    {
        // CPython's repr: <threading.BoundedSemaphore at 0x...: value=2/4>.
        var pool = new BoundedSemaphore(4, name: "pool");
        using (pool.Acquire())
        using (pool.Acquire())
        {
            Assert.Equal("BoundedSemaphore 'pool' (count 2 of 4)", pool.ToString());
        }
        Assert.Equal("BoundedSemaphore 'pool' (count 4 of 4)", pool.ToString());
    }

    protected override CountingSemaphore Create(int initialCount = 1, string? name = null) =>
        new BoundedSemaphore(initialCount, name);

    protected override CountingSemaphore CreateDefault() => new BoundedSemaphore();
}
