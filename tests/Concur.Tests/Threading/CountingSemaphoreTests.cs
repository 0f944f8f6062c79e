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

    protected override ITestSemaphore Create(int initialCount = 1, string? name = null) =>
        new Adapter(new CountingSemaphore(initialCount, name));

    protected override ITestSemaphore CreateDefault() => new Adapter(new CountingSemaphore());

    private sealed class Adapter(CountingSemaphore semaphore) : ITestSemaphore
    {
        public string? Name => semaphore.Name;

        public int CurrentCount => semaphore.CurrentCount;

        public SemaphoreScope Acquire(CancellationToken cancellationToken = default) => semaphore.Acquire(cancellationToken);

        public SemaphoreScope Acquire(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            semaphore.Acquire(timeout, cancellationToken);

        public ValueTask<SemaphoreScope> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            semaphore.AcquireAsync(timeout, cancellationToken);

        public bool TryAcquire() => semaphore.TryAcquire();

        public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            semaphore.TryAcquire(timeout, cancellationToken);

        public ValueTask<SemaphoreScope> AcquireAsync(CancellationToken cancellationToken = default) =>
            semaphore.AcquireAsync(cancellationToken);

        public Task<bool> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            semaphore.TryAcquireAsync(timeout, cancellationToken);

        public void Release(int count = 1) => semaphore.Release(count);

        public override string ToString() => semaphore.ToString();
    }
}
