using Concur.Tests.Support;

namespace Concur.Tests.Threading;

/// <summary>
/// The blocking contract of every semaphore in both call modes: <c>Acquire</c>/<c>TryAcquire</c> on a thread of their
/// own, and <c>AcquireAsync</c>/<c>TryAcquireAsync</c> awaited.
/// </summary>
public abstract partial class SemaphoreContractTests
{
    private static Task<bool> TryAcquireTwin(CallMode mode, TestThreads threads, CountingSemaphore sem, TimeSpan timeout, CancellationToken token = default) =>
        Twin.Start(mode, threads, () => sem.TryAcquire(timeout, token), () => sem.TryAcquireAsync(timeout, token));

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task TryAcquire_NoPermit_WaitsUntilAnotherThreadReleases(CallMode mode)
    {
        var sem = CreateDrained(1);
        using var threads = new TestThreads();
        var waiting = TryAcquireTwin(mode, threads, sem, Bounded.Limit);

        threads.Start("releaser", () => sem.Release());

        Assert.True(await Bounded.Within(waiting));
        Assert.Equal(0, sem.CurrentCount);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task TryAcquire_NoPermitForTheWholeTimeout_ReturnsFalseAndTakesNothing(CallMode mode)
    {
        var sem = CreateDrained(1);
        using var threads = new TestThreads();

        Assert.False(await Bounded.Within(TryAcquireTwin(mode, threads, sem, TimeSpan.FromMilliseconds(30))));

        sem.Release();
        Assert.Equal(1, sem.CurrentCount);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task TryAcquire_CancelledWhileWaiting_ThrowsAndTakesNothing(CallMode mode)
    {
        var sem = CreateDrained(1);
        using var threads = new TestThreads();
        using var cts = new CancellationTokenSource();
        var waiting = TryAcquireTwin(mode, threads, sem, Bounded.Limit, cts.Token);

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
        sem.Release();
        Assert.Equal(1, sem.CurrentCount);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task TryAcquire_NegativeTimeoutInEitherMode_ThrowsAndTakesNothing(CallMode mode)
    {
        var sem = Create(1);
        using var threads = new TestThreads();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Bounded.Within(TryAcquireTwin(mode, threads, sem, TimeSpan.FromMilliseconds(-5))));
        Assert.Equal(1, sem.CurrentCount);
    }
}
