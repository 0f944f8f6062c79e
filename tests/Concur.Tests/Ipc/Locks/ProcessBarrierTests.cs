using System.Diagnostics;
using Concur.Tests.Ipc.Queues;
using Concur.Tests.Support;
using Xunit.Abstractions;

namespace Concur.Tests.Ipc.Locks;

/// <summary>
/// A <see cref="ProcessBarrier"/>: rounds and arrival indexes between threads and processes, abort, reset, timeouts,
/// and a party SIGKILLed while waiting, or dead between rounds, breaking it for everyone.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class ProcessBarrierTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ThreeThreads_TwoRounds_EachGetsADifferentIndex()
    {
        using var ready = new ProcessBarrier(3);
        var parties = Enumerable.Range(0, 3).Select(_ => QueueViews.OnThread(() =>
        {
            int first = ready.SignalAndWait(Bounded.Limit);
            int second = ready.SignalAndWait(Bounded.Limit);
            return (first, second);
        })).ToArray();
        var indexes = await Bounded.Within(Task.WhenAll(parties));
        Assert.Equal([0, 1, 2], indexes.Select(i => i.first).Order());
        Assert.Equal([0, 1, 2], indexes.Select(i => i.second).Order());
        Assert.Equal(0, ready.WaitingCount);
        Assert.False(ready.IsBroken);
        Assert.Equal("ProcessBarrier (0/3 waiting)", ready.ToString());
    }

    [Fact]
    public async Task Abort_ReleasesTheWaiter_AndLaterWaitsThrow_UntilReset()
    {
        using var ready = new ProcessBarrier(2);
        var waiting = ready.SignalAndWaitAsync(Bounded.Limit);
        Bounded.Until(() => ready.WaitingCount == 1, "one party waits");
        ready.Abort();
        var error = await Assert.ThrowsAsync<BrokenBarrierException>(() => Bounded.Within(waiting));
        Assert.Contains("aborted", error.Message, StringComparison.Ordinal);
        Assert.True(ready.IsBroken);
        Assert.Throws<BrokenBarrierException>(() => ready.SignalAndWait(Bounded.Limit));
        ready.Reset();
        Assert.False(ready.IsBroken);
        var again = QueueViews.OnThread(() => ready.SignalAndWait(Bounded.Limit));
        Assert.InRange(ready.SignalAndWait(Bounded.Limit), 0, 1);
        Assert.InRange(await Bounded.Within(again), 0, 1);
    }

    [Fact]
    public async Task Timeout_BreaksTheBarrier_ForTheOthersToo_AndResetReleasesWaiters()
    {
        using var ready = new ProcessBarrier(3);
        var other = QueueViews.OnThread(() => Record.Exception(() => ready.SignalAndWait(Bounded.Limit)));
        Bounded.Until(() => ready.WaitingCount == 1, "one party waits");
        Assert.Throws<BrokenBarrierException>(() => ready.SignalAndWait(TimeSpan.FromMilliseconds(30)));
        Assert.IsType<BrokenBarrierException>(await Bounded.Within(other));
        ready.Reset();
        var reset = QueueViews.OnThread(() => Record.Exception(() => ready.SignalAndWait(Bounded.Limit)));
        Bounded.Until(() => ready.WaitingCount == 1, "a party waits in the new round");
        ready.Reset();
        Assert.Contains("reset", Assert.IsType<BrokenBarrierException>(await Bounded.Within(reset)).Message, StringComparison.Ordinal);
        Assert.False(ready.IsBroken);
    }

    [Fact]
    public async Task Cancellation_BreaksTheBarrier_AndThrowsOperationCanceled()
    {
        using var ready = new ProcessBarrier(2);
        using var cancel = new CancellationTokenSource();
        var waiting = ready.SignalAndWaitAsync(cancel.Token);
        Bounded.Until(() => ready.WaitingCount == 1, "one party waits");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
        Assert.True(ready.IsBroken);
    }

    [Fact]
    public void ThreeChildren_AndThisProcess_MeetForThreeRounds()
    {
        using var ready = new ProcessBarrier(4);
        var children = Enumerable.Range(0, 3).Select(_ => ChildProcess.Create(Meet, (ready, 3))).ToList();
        children.ForEach(c => c.Start());
        for (int i = 0; i < 3; i++)
        {
            Assert.InRange(ready.SignalAndWait(Bounded.Limit), 0, 3);
        }
        foreach (var child in children)
        {
            Assert.True(child.Join(Bounded.Limit));
            Assert.Equal(0, child.ExitCode);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PartyKilledWhileWaiting_BreaksTheBarrier_AndReleasesEveryone_NamingIt(bool asynchronously)
    {
        using var ready = new ProcessBarrier(3);
        var child = new ChildProcess(() => ready.SignalAndWait(Bounded.Limit));
        child.Start();
        try
        {
            Bounded.Until(() => ready.WaitingCount == 1, "the child waits");
            Task<int> here = asynchronously ? ready.SignalAndWaitAsync(Bounded.Limit) : QueueViews.OnThread(() => ready.SignalAndWait(Bounded.Limit));
            Bounded.Until(() => ready.WaitingCount == 2, "this process waits too");
            child.Kill();
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<BrokenBarrierException>(() => Bounded.Within(here));
            output.WriteLine($"released {watch.Elapsed.TotalMilliseconds:F1} ms after the kill: {error.Message}");
            Assert.Contains($"process {child.Pid}", error.Message, StringComparison.Ordinal);
            Assert.True(ready.IsBroken);
            ready.Reset();
            var pair = QueueViews.OnThread(() => ready.SignalAndWait(Bounded.Limit));
            var second = QueueViews.OnThread(() => ready.SignalAndWait(Bounded.Limit));
            Assert.InRange(ready.SignalAndWait(Bounded.Limit), 0, 2); // the dead party is forgotten after the reset
            await Bounded.Within(Task.WhenAll(pair, second));
        }
        finally
        {
            End(child);
        }
    }

    [Fact]
    public async Task PartyDeadBetweenRounds_BreaksTheNextRound_ButOneThatDisposedDoesNot()
    {
        using var ready = new ProcessBarrier(2);
        using var control = new ProcessQueue<int>();
        var polite = new ChildProcess(() =>
        {
            ready.SignalAndWait(Bounded.Limit);
            ready.Dispose(); // done with it: its exit is not a death
        });
        polite.Start();
        ready.SignalAndWait(Bounded.Limit);
        Assert.True(polite.Join(Bounded.Limit));
        var rude = new ChildProcess(() =>
        {
            ready.SignalAndWait(Bounded.Limit);
            control.Put(1);
            Thread.Sleep(Timeout.Infinite);
        });
        rude.Start();
        try
        {
            ready.SignalAndWait(Bounded.Limit); // meets the rude one; the polite one's exit broke nothing
            Assert.Equal(1, control.Get(Bounded.Limit));
            rude.Kill();
            Assert.True(rude.Join(Bounded.Limit));
            var error = await Assert.ThrowsAsync<BrokenBarrierException>(() => Bounded.Within(ready.SignalAndWaitAsync(Bounded.Limit)));
            Assert.Contains($"process {rude.Pid}", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            End(rude);
        }
    }

    /// <summary>A child's part: meet at the barrier <c>rounds</c> times.</summary>
    internal static void Meet((ProcessBarrier Barrier, int Rounds) work)
    {
        for (int i = 0; i < work.Rounds; i++)
        {
            work.Barrier.SignalAndWait(Bounded.Limit);
        }
        work.Barrier.Dispose();
    }

    private static void End(ChildProcess child)
    {
        if (child.IsAlive)
        {
            child.Kill();
            child.Join(Bounded.Limit);
        }
    }
}
