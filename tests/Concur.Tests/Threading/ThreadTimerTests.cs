using System.Collections.Concurrent;
using System.Diagnostics;
using Concur.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Concur.Tests.Threading;

/// <summary>
/// Tests of <see cref="ThreadTimer"/> (CPython's TimerTests in Lib/test/test_threading.py, plus the thread life cycle
/// rules Timer inherits from Thread). Time is faked with <see cref="FakeTimeProvider"/>: no test sleeps.
/// </summary>
public sealed class ThreadTimerTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadTimer(TimeSpan.FromMilliseconds(-1), () => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadTimer(Timeout.InfiniteTimeSpan, () => { }));
        Assert.Throws<ArgumentNullException>(() => new ThreadTimer(s_interval, null!));
    }

    [Fact]
    public void NewTimer_IsNotAliveNorFinished()
    {
        var timer = new ThreadTimer(s_interval, () => { }, new FakeTimeProvider());
        Assert.Equal(s_interval, timer.Interval);
        Assert.False(timer.IsAlive);
        Assert.False(timer.IsFinished);
        Assert.False(timer.IsCancelled);
        Assert.False(timer.Completion.IsCompleted);
        Assert.Equal("ThreadTimer (00:00:10, not started)", timer.ToString());
    }

    [Fact]
    public void Start_IntervalElapses_RunsTheActionOnce()
    {
        var time = new FakeTimeProvider();
        int runs = 0;
        var timer = new ThreadTimer(s_interval, () => Interlocked.Increment(ref runs), time);
        timer.Start();
        Assert.True(timer.IsAlive);
        Assert.Equal("ThreadTimer (00:00:10, waiting)", timer.ToString());

        time.Advance(s_interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, Volatile.Read(ref runs));
        Assert.True(timer.IsAlive);
        Assert.False(timer.Join(TimeSpan.Zero));

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(timer.Join(Bounded.Limit));
        Assert.Equal(1, runs);
        Assert.False(timer.IsAlive);
        Assert.True(timer.IsFinished);
        Assert.False(timer.IsCancelled);
        Assert.True(timer.Completion.IsCompletedSuccessfully);

        time.Advance(s_interval * 3);
        Assert.Equal(1, runs);
    }

    [Fact]
    public void Start_NotStarted_TimePassingRunsNothing()
    {
        var time = new FakeTimeProvider();
        int runs = 0;
        _ = new ThreadTimer(s_interval, () => runs++, time);
        time.Advance(s_interval * 2);
        Assert.Equal(0, runs);
    }

    [Fact]
    public void Start_Twice_ThrowsInvalidOperation()
    {
        var time = new FakeTimeProvider();
        var timer = new ThreadTimer(s_interval, () => { }, time);
        timer.Start();
        Assert.Throws<InvalidOperationException>(timer.Start);
        time.Advance(s_interval);
        Assert.True(timer.Join(Bounded.Limit));
        Assert.Throws<InvalidOperationException>(timer.Start);
    }

    [Fact]
    public void Cancel_WhileWaiting_TheActionNeverRuns()
    {
        var time = new FakeTimeProvider();
        int runs = 0;
        var timer = new ThreadTimer(s_interval, () => runs++, time);
        timer.Start();
        time.Advance(s_interval / 2);
        timer.Cancel();
        Assert.True(timer.Join(Bounded.Limit));
        Assert.False(timer.IsAlive);
        Assert.True(timer.IsFinished);
        Assert.True(timer.IsCancelled);
        Assert.True(timer.Completion.IsCanceled);
        Assert.Equal("ThreadTimer (00:00:10, cancelled)", timer.ToString());

        time.Advance(s_interval * 2);
        Assert.Equal(0, runs);
    }

    [Fact]
    public void Cancel_AfterTheActionRan_DoesNothing()
    {
        var time = new FakeTimeProvider();
        int runs = 0;
        var timer = new ThreadTimer(s_interval, () => runs++, time);
        timer.Start();
        time.Advance(s_interval);
        timer.Cancel();
        Assert.Equal(1, runs);
        Assert.False(timer.IsCancelled);
        Assert.True(timer.IsFinished);
        Assert.True(timer.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public void Cancel_BeforeStart_StartFinishesAtOnceWithoutRunning()
    {
        var time = new FakeTimeProvider();
        int runs = 0;
        var timer = new ThreadTimer(s_interval, () => runs++, time);
        timer.Cancel();
        Assert.True(timer.IsCancelled);
        timer.Start();
        Assert.False(timer.IsAlive);
        Assert.True(timer.Join(TimeSpan.Zero));
        time.Advance(s_interval * 2);
        Assert.Equal(0, runs);
        Assert.Throws<InvalidOperationException>(timer.Start);
    }

    [Fact]
    public void Cancel_Twice_IsHarmless()
    {
        var timer = new ThreadTimer(s_interval, () => { }, new FakeTimeProvider());
        timer.Start();
        timer.Cancel();
        timer.Cancel();
        Assert.True(timer.IsCancelled);
    }

    [Fact]
    public void Cancel_WhileTheActionRuns_DoesNotStopIt()
    {
        using var inAction = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var time = new FakeTimeProvider();
        bool finished = false;
        var timer = new ThreadTimer(s_interval, () =>
        {
            inAction.Set();
            Assert.True(release.Wait(Bounded.Limit));
            finished = true;
        }, time);
        timer.Start();
        // The fake clock runs the action inside Advance, so advance on another thread.
        var advancer = TestThreads.StartMany(1, _ => time.Advance(s_interval));
        Assert.True(inAction.Wait(Bounded.Limit));
        Assert.True(timer.IsAlive);
        Assert.Equal("ThreadTimer (00:00:10, running)", timer.ToString());
        timer.Cancel();
        Assert.False(timer.IsCancelled);
        Assert.False(timer.Join(TimeSpan.FromMilliseconds(50)));
        release.Set();
        Assert.True(timer.Join(Bounded.Limit));
        advancer.Join();
        Assert.True(finished);
        Assert.True(timer.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Action_Throws_CompletionFaultsAndJoinDoesNot()
    {
        var time = new FakeTimeProvider();
        var boom = new InvalidOperationException("boom");
        var timer = new ThreadTimer(s_interval, () => throw boom, time);
        timer.Start();
        time.Advance(s_interval);
        Assert.True(timer.Join(Bounded.Limit));
        Assert.True(await timer.JoinAsync(Bounded.Limit));
        Assert.True(timer.IsFinished);
        Assert.False(timer.IsAlive);
        Assert.True(timer.Completion.IsFaulted);
        Assert.Same(boom, await Assert.ThrowsAsync<InvalidOperationException>(() => timer.Completion));
        Assert.Equal("ThreadTimer (00:00:10, finished, action threw)", timer.ToString());
    }

    [Fact]
    public async Task Completion_Cancelled_AwaitThrowsTaskCanceled()
    {
        var timer = new ThreadTimer(s_interval, () => { }, new FakeTimeProvider());
        timer.Start();
        timer.Cancel();
        await Assert.ThrowsAsync<TaskCanceledException>(() => timer.Completion);
    }

    [Fact]
    public async Task Join_NotStarted_ThrowsInvalidOperation()
    {
        var timer = new ThreadTimer(s_interval, () => { }, new FakeTimeProvider());
        Assert.Throws<InvalidOperationException>(() => timer.Join(TimeSpan.Zero));
        await Assert.ThrowsAsync<InvalidOperationException>(() => timer.JoinAsync(TimeSpan.Zero));
    }

    [Fact]
    public void Join_FromItsOwnAction_ThrowsInvalidOperation()
    {
        var time = new FakeTimeProvider();
        ThreadTimer? timer = null;
        Exception? caught = null;
        timer = new ThreadTimer(s_interval, () => caught = Record.Exception(() => timer!.Join(TimeSpan.Zero)), time);
        timer.Start();
        time.Advance(s_interval);
        Assert.IsType<InvalidOperationException>(caught);
        Assert.True(timer.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public void Join_TimeoutElapses_ReturnsFalseAfterRoughlyTheTimeout()
    {
        var timer = new ThreadTimer(s_interval, () => { }, new FakeTimeProvider());
        timer.Start();
        var timeout = TimeSpan.FromMilliseconds(200);
        var watch = Stopwatch.StartNew();
        Assert.False(timer.Join(timeout));
        Assert.True(watch.Elapsed >= timeout * 0.8, $"returned after {watch.Elapsed}, before the timeout of {timeout}");
        timer.Cancel();
    }

    [Fact]
    public async Task JoinAsync_TimeoutElapses_ReturnsFalse()
    {
        var timer = new ThreadTimer(s_interval, () => { }, new FakeTimeProvider());
        timer.Start();
        Assert.False(await timer.JoinAsync(TimeSpan.Zero));
        Assert.False(await Bounded.Within(timer.JoinAsync(TimeSpan.FromMilliseconds(50))));
        timer.Cancel();
        Assert.True(await timer.JoinAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task JoinAsync_ActionRunsLater_Completes()
    {
        var time = new FakeTimeProvider();
        var timer = new ThreadTimer(s_interval, () => { }, time);
        timer.Start();
        var untimed = timer.JoinAsync();
        var timed = timer.JoinAsync(Bounded.Limit);
        Assert.False(untimed.IsCompleted);
        time.Advance(s_interval);
        await Bounded.Within(untimed);
        Assert.True(await Bounded.Within(timed));
    }

    [Fact]
    public async Task Join_NegativeTimeout_ThrowsArgumentOutOfRange()
    {
        var timer = new ThreadTimer(s_interval, () => { }, new FakeTimeProvider());
        timer.Start();
        Assert.Throws<ArgumentOutOfRangeException>(() => timer.Join(TimeSpan.FromSeconds(-3)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => timer.JoinAsync(TimeSpan.FromSeconds(-3)));
        timer.Cancel();
    }

    [Fact]
    public async Task Join_PreCancelledToken_ThrowsWithoutWaiting()
    {
        var timer = new ThreadTimer(s_interval, () => { }, new FakeTimeProvider());
        timer.Start();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => timer.Join(cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => timer.Join(Bounded.Limit, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => timer.JoinAsync(cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => timer.JoinAsync(Bounded.Limit, cts.Token));
        Assert.True(timer.IsAlive, "cancelling a join does not cancel the timer");
        timer.Cancel();
    }

    [Fact]
    public async Task Join_CancelledWhileWaiting_Throws()
    {
        var timer = new ThreadTimer(s_interval, () => { }, new FakeTimeProvider());
        timer.Start();
        using var cts = new CancellationTokenSource();
        Exception? caught = null;
        var joiner = TestThreads.StartMany(1, _ => caught = Record.Exception(() => timer.Join(cts.Token)));
        var asyncJoin = timer.JoinAsync(Bounded.Limit, cts.Token);
        Bounded.Until(() => joiner.AllBlockedOrDone, "the joiner waits");
        cts.Cancel();
        joiner.Join();
        Assert.IsAssignableFrom<OperationCanceledException>(caught);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(asyncJoin));
        Assert.True(timer.IsAlive);
        timer.Cancel();
    }

    [Fact]
    public void Start_SystemClockShortInterval_RunsAfterRoughlyTheInterval()
    {
        // CPython's TimerTests use a real 0.01 s timer; this one uses the system clock too.
        var interval = TimeSpan.FromMilliseconds(100);
        var watch = Stopwatch.StartNew();
        TimeSpan ranAt = TimeSpan.Zero;
        var timer = new ThreadTimer(interval, () => ranAt = watch.Elapsed);
        timer.Start();
        Assert.True(timer.Join(Bounded.Limit));
        Assert.True(timer.Completion.IsCompletedSuccessfully);
        Assert.True(ranAt >= interval * 0.8, $"ran after {ranAt}, before the interval of {interval}");
    }

    [Fact]
    public void Start_ZeroInterval_RunsSoon()
    {
        int runs = 0;
        var timer = new ThreadTimer(TimeSpan.Zero, () => Interlocked.Increment(ref runs));
        timer.Start();
        Assert.True(timer.Join(Bounded.Limit));
        Assert.Equal(1, runs);
    }

    [Fact]
    public void CancelRacingWithZeroInterval_EitherRunsOnceOrIsCancelled()
    {
        var outcomes = new ConcurrentQueue<(int Runs, TaskStatus Status, bool Cancelled)>();
        for (int i = 0; i < 200; i++)
        {
            int runs = 0;
            var timer = new ThreadTimer(TimeSpan.Zero, () => Interlocked.Increment(ref runs));
            timer.Start();
            timer.Cancel();
            Assert.True(timer.Join(Bounded.Limit));
            outcomes.Enqueue((Volatile.Read(ref runs), timer.Completion.Status, timer.IsCancelled));
        }
        Assert.All(outcomes, o =>
        {
            if (o.Cancelled)
            {
                Assert.Equal(0, o.Runs);
                Assert.Equal(TaskStatus.Canceled, o.Status);
            }
            else
            {
                Assert.Equal(1, o.Runs);
                Assert.Equal(TaskStatus.RanToCompletion, o.Status);
            }
        });
    }
}
