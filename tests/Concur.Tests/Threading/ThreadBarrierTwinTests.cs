using Concur.Tests.Support;

namespace Concur.Tests.Threading;

/// <summary>
/// The barrier's contract in both call modes (<c>Wait</c> on threads of their own, <c>WaitAsync</c> awaited): both run
/// one core with a <c>sync</c> flag (CPython's <c>lock_tests.BarrierTests</c>).
/// </summary>
public sealed class ThreadBarrierTwinTests
{
    private static Task<int> WaitTwin(CallMode mode, TestThreads threads, ThreadBarrier barrier, TimeSpan timeout, CancellationToken token = default) =>
        Twin.Start(mode, threads, () => barrier.Wait(timeout, token), () => barrier.WaitAsync(timeout, token));

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Wait_EveryPartyArrives_EachGetsADistinctIndex(CallMode mode)
    {
        var barrier = new ThreadBarrier(3);
        using var threads = new TestThreads();

        var indices = await Bounded.Within(Task.WhenAll(Enumerable.Range(0, 3).Select(_ => WaitTwin(mode, threads, barrier, Bounded.Limit))));

        Assert.Equal([0, 1, 2], indices.Order());
        Assert.False(barrier.IsBroken);
        Assert.Equal(0, barrier.WaitingCount);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Wait_TimeoutBeforeEveryPartyArrives_BreaksTheBarrierForAll(CallMode mode)
    {
        var barrier = new ThreadBarrier(3);
        using var threads = new TestThreads();
        var patient = WaitTwin(mode, threads, barrier, Bounded.Limit);
        Bounded.Until(() => barrier.WaitingCount == 1, "the first party waits");

        await Assert.ThrowsAsync<BrokenBarrierException>(() => Bounded.Within(WaitTwin(mode, threads, barrier, TimeSpan.FromMilliseconds(30))));

        await Assert.ThrowsAsync<BrokenBarrierException>(() => Bounded.Within(patient));
        Assert.True(barrier.IsBroken);
        Assert.Contains("broken", barrier.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Wait_CancelledWhileWaiting_ThrowsAndBreaksTheBarrier(CallMode mode)
    {
        var barrier = new ThreadBarrier(2);
        using var threads = new TestThreads();
        using var cts = new CancellationTokenSource();
        var waiting = WaitTwin(mode, threads, barrier, Bounded.Limit, cts.Token);
        Bounded.Until(() => barrier.WaitingCount == 1, "the party waits");

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
        Assert.True(barrier.IsBroken);
        barrier.Reset();
        Assert.False(barrier.IsBroken);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Wait_ActionThrows_TheLastPartyGetsItAndTheOthersABrokenBarrier(CallMode mode)
    {
        var barrier = new ThreadBarrier(2, () => throw new InvalidOperationException("action failed"));
        using var threads = new TestThreads();
        var first = WaitTwin(mode, threads, barrier, Bounded.Limit);
        Bounded.Until(() => barrier.WaitingCount == 1, "the first party waits");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Bounded.Within(WaitTwin(mode, threads, barrier, Bounded.Limit)));

        var broken = await Assert.ThrowsAsync<BrokenBarrierException>(() => Bounded.Within(first));
        Assert.IsType<InvalidOperationException>(broken.InnerException);
    }

    [Fact]
    public void ToString_Waiting_ShowsArrivedOfParties()
    {
        var barrier = new ThreadBarrier(3);
        Assert.Equal("ThreadBarrier (0/3 waiting)", barrier.ToString());
    }
}
