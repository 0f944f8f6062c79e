using System.Collections.Concurrent;
using System.Diagnostics;
using Concur.Tests.Support;

namespace Concur.Tests.Threading;

/// <summary>Tests of <see cref="ThreadBarrier"/> (CPython's BarrierTests in Lib/test/lock_tests.py, plus cancellation and async).</summary>
public sealed class ThreadBarrierTests
{
    private const int N = 5;

    [Fact]
    public void Constructor_FewerThanOneParty_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadBarrier(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadBarrier(-1));
    }

    [Fact]
    public void Constructor_NegativeTimeout_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadBarrier(2, timeout: TimeSpan.FromSeconds(-1)));
        _ = new ThreadBarrier(2, timeout: Timeout.InfiniteTimeSpan);
        _ = new ThreadBarrier(2, timeout: TimeSpan.Zero);
    }

    [Fact]
    public void Properties_NewBarrier_ReportPartiesAndNoWaiters()
    {
        var barrier = new ThreadBarrier(3);
        Assert.Equal(3, barrier.Parties);
        Assert.Equal(0, barrier.WaitingCount);
        Assert.False(barrier.IsBroken);
        Assert.Equal("ThreadBarrier (0/3 waiting)", barrier.ToString());
    }

    [Fact]
    public void Wait_OneRound_PartiesPassInLockstep()
    {
        MultiPass(passes: 1);
    }

    [Fact]
    public void Wait_TenRounds_PartiesPassInLockstep()
    {
        MultiPass(passes: 10);
    }

    [Fact]
    public void Wait_ReturnsEveryArrivalIndexOnce()
    {
        var barrier = new ThreadBarrier(N);
        var indices = new ConcurrentQueue<int>();
        TestThreads.StartMany(N, _ => indices.Enqueue(barrier.Wait(Bounded.Limit))).Join();
        Assert.Equal(Enumerable.Range(0, N), indices.Order());
    }

    [Fact]
    public void Wait_SingleParty_PassesAtOnceAndRunsTheActionEachTime()
    {
        int actions = 0;
        var barrier = new ThreadBarrier(1, () => actions++);
        Assert.Equal(0, barrier.Wait());
        Assert.Equal(0, barrier.Wait(TimeSpan.Zero));
        Assert.Equal(2, actions);
        Assert.False(barrier.IsBroken);
    }

    [Fact]
    public void Action_RunsOncePerRoundBeforeAnyPartyIsReleased()
    {
        int actions = 0;
        var barrier = new ThreadBarrier(N, () => Interlocked.Increment(ref actions));
        TestThreads.StartMany(N, _ =>
        {
            for (int round = 1; round <= 20; round++)
            {
                barrier.Wait(Bounded.Limit);
                // Exactly: this round's action ran before the release, and the next one cannot run before this
                // party arrives again.
                Assert.Equal(round, Volatile.Read(ref actions));
            }
        }).Join();
        Assert.Equal(20, actions);
    }

    [Fact]
    public void Action_RunsOnTheLastPartyToArrive()
    {
        int actionThread = 0;
        var barrier = new ThreadBarrier(N, () => actionThread = Environment.CurrentManagedThreadId);
        var lastThread = new ConcurrentQueue<int>();
        TestThreads.StartMany(N, _ =>
        {
            if (barrier.Wait(Bounded.Limit) == N - 1)
            {
                lastThread.Enqueue(Environment.CurrentManagedThreadId);
            }
        }).Join();
        Assert.Equal(new[] { actionThread }, lastThread.ToArray());
    }

    [Fact]
    public void Action_Throws_ItsThreadGetsTheExceptionAndTheOthersBrokenBarrier()
    {
        // CPython's test_action_exception.
        var barrier = new ThreadBarrier(N, () => throw new InvalidOperationException("action failed"));
        var outcomes = new ConcurrentQueue<Exception>();
        TestThreads.StartMany(N, _ =>
        {
            try
            {
                barrier.Wait(Bounded.Limit);
            }
            catch (Exception ex)
            {
                outcomes.Enqueue(ex);
            }
        }).Join();
        Assert.Equal(N, outcomes.Count);
        Assert.Single(outcomes, e => e is InvalidOperationException { Message: "action failed" });
        var broken = outcomes.OfType<BrokenBarrierException>().ToList();
        Assert.Equal(N - 1, broken.Count);
        Assert.All(broken, e => Assert.IsType<InvalidOperationException>(e.InnerException));
        Assert.True(barrier.IsBroken);
    }

    [Fact]
    public void Abort_WhileOthersWait_EveryoneGetsBrokenBarrier()
    {
        // CPython's test_abort: one party aborts instead of waiting the second time.
        var barrier = new ThreadBarrier(N, timeout: Bounded.Limit);
        int passed = 0;
        int broken = 0;
        TestThreads.StartMany(N, _ =>
        {
            try
            {
                int i = barrier.Wait();
                if (i == N / 2)
                {
                    throw new InvalidOperationException("this party stops");
                }
                barrier.Wait();
                Interlocked.Increment(ref passed);
            }
            catch (BrokenBarrierException)
            {
                Interlocked.Increment(ref broken);
            }
            catch (InvalidOperationException)
            {
                barrier.Abort();
            }
        }).Join();
        Assert.Equal(0, passed);
        Assert.Equal(N - 1, broken);
        Assert.True(barrier.IsBroken);
    }

    [Fact]
    public async Task Abort_LaterWaits_ThrowAtOnceUntilReset()
    {
        var barrier = new ThreadBarrier(2);
        barrier.Abort();
        Assert.True(barrier.IsBroken);
        Assert.Equal(0, barrier.WaitingCount);
        var ex = Assert.Throws<BrokenBarrierException>(() => barrier.Wait(Bounded.Limit));
        Assert.Contains("aborted", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<BrokenBarrierException>(() => barrier.WaitAsync(Bounded.Limit));
        Assert.Equal("ThreadBarrier (2 parties, broken)", barrier.ToString());

        barrier.Reset();
        Assert.False(barrier.IsBroken);
        var other = barrier.WaitAsync(Bounded.Limit);
        Assert.Equal(1, barrier.Wait(Bounded.Limit));
        Assert.Equal(0, await Bounded.Within(other));
    }

    [Fact]
    public void Reset_WhileOthersWait_TheyGetBrokenBarrierAndTheBarrierWorksAfterwards()
    {
        // CPython's test_reset.
        var barrier = new ThreadBarrier(N, timeout: Bounded.Limit);
        int passed = 0;
        int broken = 0;
        int third = 0;
        TestThreads.StartMany(N, _ =>
        {
            int i = barrier.Wait();
            if (i == N / 2)
            {
                Bounded.Until(() => barrier.WaitingCount == N - 1, "the other parties wait again");
                barrier.Reset();
            }
            else
            {
                try
                {
                    barrier.Wait();
                    Interlocked.Increment(ref passed);
                }
                catch (BrokenBarrierException)
                {
                    Interlocked.Increment(ref broken);
                }
            }
            barrier.Wait();
            Interlocked.Increment(ref third);
        }).Join();
        Assert.Equal(0, passed);
        Assert.Equal(N - 1, broken);
        Assert.Equal(N, third);
        Assert.False(barrier.IsBroken);
    }

    [Fact]
    public void Reset_AfterAbort_MakesTheBarrierUsableAgain()
    {
        // CPython's test_abort_and_reset.
        var barrier = new ThreadBarrier(N, timeout: Bounded.Limit);
        var meeting = new ThreadBarrier(N, timeout: Bounded.Limit);
        int passed = 0;
        int broken = 0;
        int third = 0;
        TestThreads.StartMany(N, _ =>
        {
            try
            {
                int i = barrier.Wait();
                if (i == N / 2)
                {
                    throw new InvalidOperationException("this party stops");
                }
                barrier.Wait();
                Interlocked.Increment(ref passed);
            }
            catch (BrokenBarrierException)
            {
                Interlocked.Increment(ref broken);
            }
            catch (InvalidOperationException)
            {
                barrier.Abort();
            }
            // Everyone has left the broken barrier before the reset, and nobody enters it before the reset is done.
            if (meeting.Wait() == N / 2)
            {
                barrier.Reset();
            }
            meeting.Wait();
            barrier.Wait();
            Interlocked.Increment(ref third);
        }).Join();
        Assert.Equal(0, passed);
        Assert.Equal(N - 1, broken);
        Assert.Equal(N, third);
    }

    [Fact]
    public void Reset_NoWaiters_DoesNothing()
    {
        var barrier = new ThreadBarrier(2);
        barrier.Reset();
        Assert.False(barrier.IsBroken);
        Assert.Equal(0, barrier.WaitingCount);
    }

    [Fact]
    public void Wait_TimeoutElapses_BreaksTheBarrierForEveryWaiter()
    {
        // CPython's test_timeout, without the sleep: the last party never comes.
        var barrier = new ThreadBarrier(N);
        var timeout = TimeSpan.FromMilliseconds(200);
        var outcomes = new ConcurrentQueue<Exception>();
        var watch = Stopwatch.StartNew();
        var bunch = TestThreads.StartMany(N - 1, i =>
        {
            try
            {
                // One party gives up after the timeout; the others would wait (bounded) for the missing party.
                barrier.Wait(i == 0 ? timeout : Bounded.Limit);
            }
            catch (Exception ex)
            {
                outcomes.Enqueue(ex);
            }
        });
        bunch.Join();
        Assert.True(watch.Elapsed >= timeout * 0.8, $"the barrier broke after {watch.Elapsed}, before the timeout of {timeout}");
        Assert.Equal(N - 1, outcomes.Count);
        Assert.All(outcomes, ex => Assert.IsType<BrokenBarrierException>(ex));
        Assert.True(barrier.IsBroken);
        var later = Assert.Throws<BrokenBarrierException>(() => barrier.Wait(Bounded.Limit));
        Assert.Contains("timed out", later.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wait_DefaultTimeoutElapses_BreaksTheBarrier()
    {
        // CPython's test_default_timeout.
        var barrier = new ThreadBarrier(3, timeout: TimeSpan.FromMilliseconds(100));
        var outcomes = new ConcurrentQueue<Exception>();
        TestThreads.StartMany(2, _ =>
        {
            try
            {
                barrier.Wait();
            }
            catch (Exception ex)
            {
                outcomes.Enqueue(ex);
            }
        }).Join();
        Assert.Equal(2, outcomes.Count);
        Assert.All(outcomes, ex => Assert.IsType<BrokenBarrierException>(ex));
        Assert.True(barrier.IsBroken);
    }

    [Fact]
    public void Wait_ExplicitTimeout_OverridesTheDefault()
    {
        var barrier = new ThreadBarrier(2, timeout: TimeSpan.FromMilliseconds(1));
        var other = TestThreads.StartMany(1, _ => barrier.Wait(Bounded.Limit));
        Bounded.Until(() => barrier.WaitingCount == 1, "the first party waits");
        Assert.Equal(1, barrier.Wait(Bounded.Limit));
        other.Join();
        Assert.False(barrier.IsBroken);
    }

    [Fact]
    public void Wait_ZeroTimeoutNotLast_BreaksTheBarrier()
    {
        var barrier = new ThreadBarrier(2);
        Assert.Throws<BrokenBarrierException>(() => barrier.Wait(TimeSpan.Zero));
        Assert.True(barrier.IsBroken);
    }

    [Fact]
    public async Task Wait_NegativeTimeout_ThrowsArgumentOutOfRangeWithoutArriving()
    {
        var barrier = new ThreadBarrier(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => barrier.Wait(TimeSpan.FromSeconds(-2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => barrier.WaitAsync(TimeSpan.FromSeconds(-2)));
        Assert.Equal(0, barrier.WaitingCount);
        Assert.False(barrier.IsBroken);
    }

    [Fact]
    public async Task Wait_PreCancelledToken_ThrowsWithoutArrivingOrBreaking()
    {
        var barrier = new ThreadBarrier(2);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => barrier.Wait(cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => barrier.Wait(Bounded.Limit, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => barrier.WaitAsync(cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => barrier.WaitAsync(Bounded.Limit, cts.Token));
        Assert.Equal(0, barrier.WaitingCount);
        Assert.False(barrier.IsBroken);
    }

    [Fact]
    public void Wait_CancelledWhileWaiting_ThrowsOperationCanceledAndBreaksTheBarrierForTheOthers()
    {
        var barrier = new ThreadBarrier(3);
        using var cts = new CancellationTokenSource();
        Exception? cancelled = null;
        Exception? other = null;
        var bunch = TestThreads.StartMany(2, i =>
        {
            try
            {
                if (i == 0)
                {
                    barrier.Wait(cts.Token);
                }
                else
                {
                    barrier.Wait(Bounded.Limit);
                }
            }
            catch (Exception ex)
            {
                if (i == 0)
                {
                    cancelled = ex;
                }
                else
                {
                    other = ex;
                }
            }
        });
        Bounded.Until(() => barrier.WaitingCount == 2, "both parties wait");
        cts.Cancel();
        bunch.Join();
        Assert.IsAssignableFrom<OperationCanceledException>(cancelled);
        var broken = Assert.IsType<BrokenBarrierException>(other);
        Assert.Contains("cancelled", broken.Message, StringComparison.Ordinal);
        Assert.True(barrier.IsBroken);
    }

    [Fact]
    public async Task WaitAsync_CancelledWhileWaiting_IsCancelledAndBreaksTheBarrier()
    {
        var barrier = new ThreadBarrier(3);
        using var cts = new CancellationTokenSource();
        var cancelled = barrier.WaitAsync(cts.Token);
        var other = barrier.WaitAsync(Bounded.Limit);
        Assert.Equal(2, barrier.WaitingCount);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(cancelled));
        await Assert.ThrowsAsync<BrokenBarrierException>(() => Bounded.Within(other));
        Assert.True(barrier.IsBroken);
    }

    [Fact]
    public async Task WaitAsync_TimeoutElapses_BreaksTheBarrier()
    {
        var barrier = new ThreadBarrier(3);
        var timeout = TimeSpan.FromMilliseconds(200);
        var watch = Stopwatch.StartNew();
        var timed = barrier.WaitAsync(timeout);
        var untimed = barrier.WaitAsync();
        await Assert.ThrowsAsync<BrokenBarrierException>(() => Bounded.Within(timed));
        Assert.True(watch.Elapsed >= timeout * 0.8, $"the barrier broke after {watch.Elapsed}, before the timeout of {timeout}");
        await Assert.ThrowsAsync<BrokenBarrierException>(() => Bounded.Within(untimed));
        Assert.True(barrier.IsBroken);
    }

    [Fact]
    public async Task WaitAsync_MixedWithBlockingWaiters_AllPassTogether()
    {
        int actions = 0;
        var barrier = new ThreadBarrier(4, () => Interlocked.Increment(ref actions));
        var indices = new ConcurrentQueue<int>();
        var first = barrier.WaitAsync(Bounded.Limit);
        var second = barrier.WaitAsync();
        Assert.False(first.IsCompleted);
        var blocking = TestThreads.StartMany(2, _ => indices.Enqueue(barrier.Wait(Bounded.Limit)));
        indices.Enqueue(await Bounded.Within(first));
        indices.Enqueue(await Bounded.Within(second));
        blocking.Join();
        Assert.Equal(new[] { 0, 1, 2, 3 }, indices.Order());
        Assert.Equal(1, actions);
    }

    [Fact]
    public async Task WaitAsync_ManyRounds_EveryRoundHandsOutEveryIndex()
    {
        const int parties = 4;
        const int rounds = 100;
        int actions = 0;
        var barrier = new ThreadBarrier(parties, () => Interlocked.Increment(ref actions));
        var perParty = await Bounded.Within(Task.WhenAll(Enumerable.Range(0, parties).Select(async _ =>
        {
            var seen = new List<int>();
            for (int r = 0; r < rounds; r++)
            {
                seen.Add(await barrier.WaitAsync(Bounded.Limit));
            }
            return seen;
        })));
        for (int r = 0; r < rounds; r++)
        {
            Assert.Equal(Enumerable.Range(0, parties), perParty.Select(p => p[r]).Order());
        }
        Assert.Equal(rounds, actions);
    }

    [Fact]
    public void Wait_ManyRoundsOnManyThreads_ActionOncePerRoundAndEveryIndexEachRound()
    {
        const int parties = 4;
        const int rounds = 300;
        int actions = 0;
        var barrier = new ThreadBarrier(parties, () => Interlocked.Increment(ref actions));
        var perParty = new int[parties][];
        TestThreads.StartMany(parties, p =>
        {
            var seen = new int[rounds];
            for (int r = 0; r < rounds; r++)
            {
                seen[r] = barrier.Wait(Bounded.Limit);
                Assert.True(Volatile.Read(ref actions) >= r + 1, "a party was released before its round's action ran");
            }
            perParty[p] = seen;
        }).Join();
        for (int r = 0; r < rounds; r++)
        {
            Assert.Equal(Enumerable.Range(0, parties), perParty.Select(p => p[r]).Order());
        }
        Assert.Equal(rounds, actions);
        Assert.Equal(0, barrier.WaitingCount);
        Assert.False(barrier.IsBroken);
    }

    [Fact]
    public void Wait_TimeoutElapsesWhileTheActionRuns_RoundStillPasses()
    {
        // Once every party has arrived, the action decides the round: a timeout that elapses meanwhile does not break
        // it (in CPython the waiter cannot even observe its timeout until the action is done). The action holds the
        // round open until the first party's timeout has certainly elapsed; the assertions hold whichever thread
        // runs first. The timeout is long enough (1 s) for the last party to arrive before it even on busy cores.
        var firstTimeout = TimeSpan.FromSeconds(1);
        long firstStarted = 0;
        using var never = new ManualResetEventSlim();
        var barrier = new ThreadBarrier(2, () =>
        {
            // The action's own work: it takes until 200 ms past the first party's timeout (a wait on an event that is
            // never set, used as a bounded pause inside the function under test, not to order the test's threads).
            var left = firstTimeout + TimeSpan.FromMilliseconds(200) - Stopwatch.GetElapsedTime(Volatile.Read(ref firstStarted));
            if (left > TimeSpan.Zero)
            {
                never.Wait(left);
            }
        });
        int firstIndex = -1;
        var first = TestThreads.StartMany(1, _ =>
        {
            Volatile.Write(ref firstStarted, Stopwatch.GetTimestamp());
            firstIndex = barrier.Wait(firstTimeout);
        });
        Bounded.Until(() => barrier.WaitingCount == 1, "the first party waits");
        int lastIndex = barrier.Wait(Bounded.Limit);
        first.Join();
        Assert.Equal(1, lastIndex);
        Assert.Equal(0, firstIndex);
        Assert.False(barrier.IsBroken);
    }

    [Fact]
    public void WaitingCount_CountsThePartiesOfTheCurrentRound()
    {
        var barrier = new ThreadBarrier(3);
        var bunch = TestThreads.StartMany(2, _ => barrier.Wait(Bounded.Limit));
        Bounded.Until(() => barrier.WaitingCount == 2, "two parties wait");
        Assert.Equal("ThreadBarrier (2/3 waiting)", barrier.ToString());
        barrier.Wait(Bounded.Limit);
        bunch.Join();
        Assert.Equal(0, barrier.WaitingCount);
    }

    // CPython's multipass: every party appends to results[0], waits, appends to results[1], waits; at each step the
    // lists must have exactly the length lockstep implies.
    private static void MultiPass(int passes)
    {
        var barrier = new ThreadBarrier(N, timeout: Bounded.Limit);
        int before = 0;
        int after = 0;
        TestThreads.StartMany(N, _ =>
        {
            for (int i = 0; i < passes; i++)
            {
                Interlocked.Increment(ref before);
                Assert.Equal(i * N, Volatile.Read(ref after));
                barrier.Wait();
                Interlocked.Increment(ref after);
                Assert.Equal((i + 1) * N, Volatile.Read(ref before));
                barrier.Wait();
            }
            Assert.False(barrier.IsBroken);
        }).Join();
        Assert.Equal(0, barrier.WaitingCount);
        Assert.Equal(passes * N, before);
        Assert.Equal(passes * N, after);
    }
}
