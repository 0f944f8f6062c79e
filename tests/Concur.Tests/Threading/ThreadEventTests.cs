using System.Collections.Concurrent;
using System.Diagnostics;
using Concur.Tests.Support;

namespace Concur.Tests.Threading;

/// <summary>Tests of <see cref="ThreadEvent"/> (CPython's EventTests in Lib/test/lock_tests.py, plus cancellation and async).</summary>
public sealed class ThreadEventTests
{
    [Fact]
    public void IsSet_FollowsSetAndClear()
    {
        var evt = new ThreadEvent();
        Assert.False(evt.IsSet);
        evt.Set();
        Assert.True(evt.IsSet);
        evt.Set();
        Assert.True(evt.IsSet);
        evt.Clear();
        Assert.False(evt.IsSet);
        evt.Clear();
        Assert.False(evt.IsSet);
    }

    [Fact]
    public void Constructor_InitiallySet_WaitReturnsAtOnce()
    {
        var evt = new ThreadEvent(initiallySet: true);
        Assert.True(evt.IsSet);
        Assert.True(evt.Wait(TimeSpan.Zero));
        evt.Wait();
        evt.Clear();
        Assert.False(evt.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void Set_WakesEveryWaiter()
    {
        CheckNotify(new ThreadEvent());
    }

    [Fact]
    public void Set_AfterSetAndClear_WakesEveryWaiterAgain()
    {
        var evt = new ThreadEvent();
        CheckNotify(evt);
        evt.Set();
        evt.Clear();
        CheckNotify(evt);
    }

    [Fact]
    public void Wait_TimeoutElapses_ReturnsFalseAfterRoughlyTheTimeout()
    {
        var evt = new ThreadEvent();
        var timeout = TimeSpan.FromMilliseconds(200);
        var results = new ConcurrentQueue<(bool Immediate, bool Timed, TimeSpan Elapsed)>();
        TestThreads.StartMany(5, _ =>
        {
            bool immediate = evt.Wait(TimeSpan.Zero);
            var watch = Stopwatch.StartNew();
            bool timed = evt.Wait(timeout);
            results.Enqueue((immediate, timed, watch.Elapsed));
        }).Join();
        Assert.Equal(5, results.Count);
        Assert.All(results, r =>
        {
            Assert.False(r.Immediate);
            Assert.False(r.Timed);
            Assert.True(r.Elapsed >= timeout * 0.8, $"returned after {r.Elapsed}, before the timeout of {timeout}");
        });

        evt.Set();
        results.Clear();
        TestThreads.StartMany(5, _ => results.Enqueue((evt.Wait(TimeSpan.Zero), evt.Wait(timeout), TimeSpan.Zero))).Join();
        Assert.All(results, r =>
        {
            Assert.True(r.Immediate);
            Assert.True(r.Timed);
        });
    }

    [Fact]
    public void SetThenClear_WaitersThatWereWaiting_StillReturnTrue()
    {
        // CPython's test_set_and_clear (issue 13502): wait() returns true even when the event is cleared before the
        // waiting thread wakes up.
        var evt = new ThreadEvent();
        var results = new ConcurrentQueue<bool>();
        int entering = 0;
        var bunch = TestThreads.StartMany(5, _ =>
        {
            Interlocked.Increment(ref entering);
            results.Enqueue(evt.Wait(Bounded.Limit));
        });
        // Blocked after entering: parked inside Wait (nothing else on the way blocks).
        Bounded.Until(() => Volatile.Read(ref entering) == 5 && bunch.AllBlockedOrDone, "all five threads wait");
        evt.Set();
        evt.Clear();
        bunch.Join();
        Assert.Equal(new[] { true, true, true, true, true }, results.ToArray());
        Assert.False(evt.IsSet);
    }

    [Fact]
    public async Task SetThenClear_AsyncWaitersThatWereWaiting_StillComplete()
    {
        var evt = new ThreadEvent();
        var waits = Enumerable.Range(0, 5).Select(_ => evt.WaitAsync(Bounded.Limit)).ToArray();
        var untimed = evt.WaitAsync();
        Assert.All(waits, w => Assert.False(w.IsCompleted));
        evt.Set();
        evt.Clear();
        Assert.All(await Bounded.Within(Task.WhenAll(waits)), Assert.True);
        await Bounded.Within(untimed);
        Assert.False(await evt.WaitAsync(TimeSpan.Zero));
    }

    [Fact]
    public void SetAndClearRacing_NoWaiterIsLost()
    {
        // Every wait registers on the current cleared period; the toggler sets each period eventually, so every wait
        // must return true, however Set and Clear interleave with it.
        var evt = new ThreadEvent();
        int done = 0;
        var waiters = TestThreads.StartMany(4, _ =>
        {
            for (int i = 0; i < 500; i++)
            {
                Assert.True(evt.Wait(Bounded.Limit), "a wait was lost");
            }
            Interlocked.Increment(ref done);
        }, "waiter");
        var toggler = TestThreads.StartMany(1, _ =>
        {
            while (Volatile.Read(ref done) < 4)
            {
                evt.Set();
                evt.Clear();
            }
        }, "toggler");
        waiters.Join();
        toggler.Join();
    }

    [Fact]
    public async Task Set_DoesNotRunAsyncContinuationsInline()
    {
        var evt = new ThreadEvent();
        using var gate = new ManualResetEventSlim();
        var waiting = evt.WaitAsync();
        // If Set ran this continuation inline it would block inside Set until the gate opens, which happens only
        // after Set returns: Set would then return late and the continuation would report false.
        var continuation = waiting.ContinueWith(
            _ => gate.Wait(Bounded.Limit),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        evt.Set();
        Assert.False(continuation.IsCompleted);
        gate.Set();
        Assert.True(await Bounded.Within(continuation));
    }

    [Fact]
    public async Task Wait_NegativeTimeout_ThrowsArgumentOutOfRange()
    {
        var evt = new ThreadEvent(initiallySet: true);
        Assert.Throws<ArgumentOutOfRangeException>(() => evt.Wait(TimeSpan.FromMilliseconds(-5)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => evt.WaitAsync(TimeSpan.FromMilliseconds(-5)));
    }

    [Fact]
    public void Wait_InfiniteTimeoutWhenSet_ReturnsTrue()
    {
        var evt = new ThreadEvent(initiallySet: true);
        Assert.True(evt.Wait(Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public async Task Wait_PreCancelledToken_ThrowsEvenWhenSet()
    {
        var evt = new ThreadEvent(initiallySet: true);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => evt.Wait(cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => evt.Wait(TimeSpan.Zero, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => evt.WaitAsync(cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => evt.WaitAsync(TimeSpan.FromSeconds(1), cts.Token));
    }

    [Fact]
    public void Wait_CancelledWhileWaiting_Throws()
    {
        var evt = new ThreadEvent();
        using var cts = new CancellationTokenSource();
        var caught = new ConcurrentQueue<Exception>();
        var bunch = TestThreads.StartMany(2, i =>
        {
            try
            {
                if (i == 0)
                {
                    evt.Wait(cts.Token);
                }
                else
                {
                    evt.Wait(Bounded.Limit, cts.Token);
                }
            }
            catch (Exception ex)
            {
                caught.Enqueue(ex);
            }
        });
        Bounded.Until(() => bunch.AllBlockedOrDone, "both threads wait");
        cts.Cancel();
        bunch.Join();
        Assert.Equal(2, caught.Count);
        Assert.All(caught, ex => Assert.IsAssignableFrom<OperationCanceledException>(ex));
    }

    [Fact]
    public async Task WaitAsync_CancelledWhileWaiting_IsCancelled()
    {
        var evt = new ThreadEvent();
        using var cts = new CancellationTokenSource();
        var untimed = evt.WaitAsync(cts.Token);
        var timed = evt.WaitAsync(Bounded.Limit, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(untimed));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(timed));
    }

    [Fact]
    public async Task WaitAsync_TimeoutElapses_ReturnsFalseAfterRoughlyTheTimeout()
    {
        var evt = new ThreadEvent();
        Assert.False(await evt.WaitAsync(TimeSpan.Zero));
        var timeout = TimeSpan.FromMilliseconds(200);
        var watch = Stopwatch.StartNew();
        Assert.False(await Bounded.Within(evt.WaitAsync(timeout)));
        Assert.True(watch.Elapsed >= timeout * 0.8, $"returned after {watch.Elapsed}, before the timeout of {timeout}");
    }

    [Fact]
    public async Task WaitAsync_SetLater_Completes()
    {
        var evt = new ThreadEvent();
        var timed = evt.WaitAsync(Bounded.Limit);
        var untimed = evt.WaitAsync();
        Assert.False(timed.IsCompleted);
        Assert.False(untimed.IsCompleted);
        var setter = TestThreads.StartMany(1, _ => evt.Set());
        Assert.True(await Bounded.Within(timed));
        await Bounded.Within(untimed);
        setter.Join();
    }

    [Fact]
    public void Wait_BlockingAndAsyncWaiters_AreWokenBySameSet()
    {
        var evt = new ThreadEvent();
        var asyncWait = evt.WaitAsync(Bounded.Limit);
        var blocking = TestThreads.StartMany(3, _ => Assert.True(evt.Wait(Bounded.Limit)));
        Bounded.Until(() => blocking.AllBlockedOrDone, "the threads wait");
        evt.Set();
        blocking.Join();
        Assert.True(Bounded.Result(asyncWait));
    }

    [Fact]
    public void ToString_ShowsTheFlag()
    {
        var evt = new ThreadEvent();
        Assert.Equal("ThreadEvent (clear)", evt.ToString());
        evt.Set();
        Assert.Equal("ThreadEvent (set)", evt.ToString());
    }

    // CPython's _check_notify: five threads wait twice each; one Set releases both waits of every thread.
    private static void CheckNotify(ThreadEvent evt)
    {
        var first = new ConcurrentQueue<bool>();
        var second = new ConcurrentQueue<bool>();
        var bunch = TestThreads.StartMany(5, _ =>
        {
            first.Enqueue(evt.Wait(Bounded.Limit));
            second.Enqueue(evt.Wait(Bounded.Limit));
        });
        Bounded.Until(() => bunch.AllBlockedOrDone, "all five threads wait");
        Assert.Empty(first);
        evt.Set();
        bunch.Join();
        Assert.Equal(Enumerable.Repeat(true, 5), first);
        Assert.Equal(Enumerable.Repeat(true, 5), second);
    }
}
