namespace Concur.Tests.Threading;

/// <summary>Tests of <see cref="CountingSemaphore"/>: the shared semaphore contract plus CPython's SemaphoreTests.</summary>
public sealed class CountingSemaphoreTests : SemaphoreContractTests
{
    [Fact]
    public void Release_WithoutAcquire_RaisesTheCount()
    {
        // CPython's SemaphoreTests.test_release_unacquired: unbounded releases are allowed.
        var sem = new CountingSemaphore(1);
        sem.Release();
        Assert.Equal(2, sem.CurrentCount);
        sem.Acquire();
        sem.Acquire();
        Assert.Equal(0, sem.CurrentCount);
        sem.Release(5);
        Assert.Equal(5, sem.CurrentCount);
    }

    [Fact]
    public void Release_PastIntMaxValue_ThrowsSemaphoreFullAndReleasesNothing()
    {
        var sem = new CountingSemaphore(int.MaxValue - 1);
        var ex = Assert.Throws<SemaphoreFullException>(() => sem.Release(2));
        Assert.Contains("nothing was released", ex.Message, StringComparison.Ordinal);
        Assert.Equal(int.MaxValue - 1, sem.CurrentCount);
        sem.Release();
        Assert.Equal(int.MaxValue, sem.CurrentCount);
    }

    [Fact]
    public void ToString_NoName_NamesTheKind()
    {
        Assert.Equal("CountingSemaphore (count 1)", new CountingSemaphore().ToString());
    }

    protected override CountingSemaphore Create(int initialCount = 1, string? name = null) =>
        new CountingSemaphore(initialCount, name);

    protected override CountingSemaphore CreateDefault() => new CountingSemaphore();
}
