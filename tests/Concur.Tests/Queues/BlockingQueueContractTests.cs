using System.Diagnostics;
using Concur.Tests.Support;

namespace Concur.Tests.Queues;

/// <summary>
/// The behaviour every Concur queue shares (CPython's BaseQueueTestMixin and the 3.13 shutdown tests), run against
/// each queue kind by the sealed subclasses at the end of this file. Order-specific checks live in QueueOrderTests.
/// </summary>
public abstract partial class BlockingQueueContractTests
{
    private const int QueueSize = 5;
    private static readonly TimeSpan s_short = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan s_long = TimeSpan.FromSeconds(20);

    /// <summary>Creates an empty queue of the kind under test.</summary>
    protected abstract BlockingQueue<int> Create(int maxSize = 0);

    /// <summary>The order in which the kind under test returns <paramref name="putOrder"/>.</summary>
    protected abstract int[] Expected(params int[] putOrder);

    // ---- State and basic put/get --------------------------------------------------------------------------------

    [Fact]
    public void New_Queue_IsEmptyNotFullNotShutDown()
    {
        var q = Create(QueueSize);
        Assert.True(q.IsEmpty);
        Assert.False(q.IsFull);
        Assert.False(q.IsShutDown);
        Assert.Equal(0, q.Count);
        Assert.Equal(QueueSize, q.MaxSize);
        Assert.Equal(0, q.UnfinishedTaskCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Constructor_MaxSizeZeroOrLess_IsUnbounded(int maxSize)
    {
        var q = Create(maxSize);
        Assert.Equal(0, q.MaxSize);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(q.TryPut(i));
        }
        Assert.False(q.IsFull);
        Assert.Equal(10_000, q.Count);
    }

    [Fact]
    public void PutThenGet_ThreeItems_ComeOutInTheKindsOrder()
    {
        // CPython's basic_queue_test: 111, 333, 222.
        var q = Create(QueueSize);
        q.Put(111);
        q.Put(333);
        q.Put(222);
        Assert.Equal(3, q.Count);
        Assert.Equal(Expected(111, 333, 222), new[] { q.Get(), q.Get(), q.Get() });
        Assert.True(q.IsEmpty);
    }

    [Fact]
    public void BasicQueueTest_RunTwiceOnOneQueue_Passes()
    {
        // CPython's test_basic: the same instance stays usable after filling, timing out and draining.
        var q = Create(QueueSize);
        BasicQueueTest(q);
        BasicQueueTest(q);
    }

    private void BasicQueueTest(BlockingQueue<int> q)
    {
        Assert.True(q.IsEmpty);
        for (var i = 0; i < QueueSize - 1; i++)
        {
            q.Put(i);
            Assert.False(q.IsEmpty);
        }
        Assert.False(q.IsFull);
        q.Put(10);
        Assert.True(q.IsFull);
        Assert.False(q.TryPut(30));
        Assert.Throws<QueueFullException>(() => q.Put(30, s_short));
        BlockedPut_WakesOnGet(q, 30, Timeout.InfiniteTimeSpan);
        BlockedPut_WakesOnGet(q, 30, s_long);
        for (var i = 0; i < QueueSize; i++)
        {
            q.Get();
        }
        Assert.True(q.IsEmpty);
        Assert.False(q.TryGet(out _));
        Assert.Throws<QueueEmptyException>(() => q.Get(s_short));
        Assert.Equal(42, BlockedGet_WakesOnPut(q, 42, Timeout.InfiniteTimeSpan));
        Assert.Equal(43, BlockedGet_WakesOnPut(q, 43, s_long));
        while (q.TryGet(out _))
        {
        }
        // Every put so far is still unfinished: nobody called TaskDone.
        Assert.True(q.UnfinishedTaskCount > 0);
    }

    private static void BlockedPut_WakesOnGet(BlockingQueue<int> q, int item, TimeSpan timeout)
    {
        var putter = TestThreads.StartOne(() => q.Put(item, timeout));
        Bounded.Until(() => q.WaitingPutters == 1, "the putter blocks on the full queue");
        Assert.True(putter.IsAlive);
        q.Get();
        putter.Join();
        Assert.True(q.IsFull);
    }

    private static int BlockedGet_WakesOnPut(BlockingQueue<int> q, int item, TimeSpan timeout)
    {
        var got = -1;
        var getter = TestThreads.StartOne(() => got = q.Get(timeout));
        Bounded.Until(() => q.WaitingGetters == 1, "the getter blocks on the empty queue");
        Assert.True(getter.IsAlive);
        q.Put(item);
        getter.Join();
        return got;
    }

    [Fact]
    public void TryPut_FullQueue_ReturnsFalseAndLeavesQueueUnchanged()
    {
        // CPython's test_nowait.
        var q = Create(QueueSize);
        for (var i = 0; i < QueueSize; i++)
        {
            Assert.True(q.TryPut(i));
        }
        Assert.False(q.TryPut(99));
        Assert.Equal(QueueSize, q.Count);
        Assert.DoesNotContain(99, Drain(q));
    }

    [Fact]
    public void TryGet_EmptyQueue_ReturnsFalseAndDefault()
    {
        var q = Create(QueueSize);
        q.Put(7);
        Assert.True(q.TryGet(out var item));
        Assert.Equal(7, item);
        Assert.False(q.TryGet(out item));
        Assert.Equal(0, item);
    }

    [Fact]
    public void TryPutWithTimeout_FullQueue_ReturnsFalseAfterWaiting()
    {
        var q = Create(1);
        q.Put(1);
        var watch = Stopwatch.StartNew();
        Assert.False(q.TryPut(2, TimeSpan.FromMilliseconds(100)));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(80), $"returned after {watch.Elapsed}");
        Assert.Equal(new[] { 1 }, Drain(q));
    }

    [Fact]
    public void TryGetWithTimeout_EmptyQueue_ReturnsFalseAfterWaiting()
    {
        var q = Create();
        var watch = Stopwatch.StartNew();
        Assert.False(q.TryGet(out _, TimeSpan.FromMilliseconds(100)));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(80), $"returned after {watch.Elapsed}");
    }

    [Fact]
    public void GetWithTimeout_EmptyQueue_ThrowsQueueEmptyExceptionWhichIsATimeout()
    {
        var q = Create();
        var error = Assert.Throws<QueueEmptyException>(() => q.Get(s_short));
        Assert.IsAssignableFrom<TimeoutException>(error);
        Assert.Throws<QueueEmptyException>(() => q.Get(TimeSpan.Zero));
    }

    [Fact]
    public void PutWithTimeout_FullQueue_ThrowsQueueFullExceptionWhichIsATimeout()
    {
        var q = Create(1);
        q.Put(1);
        var error = Assert.Throws<QueueFullException>(() => q.Put(2, s_short));
        Assert.IsAssignableFrom<TimeoutException>(error);
        Assert.Throws<QueueFullException>(() => q.Put(2, TimeSpan.Zero));
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void GetWithTimeout_ItemArrivesInTime_ReturnsIt()
    {
        var q = Create();
        Assert.Equal(5, BlockedGet_WakesOnPut(q, 5, s_long));
    }

    [Fact]
    public void Timeouts_Negative_ThrowArgumentOutOfRange()
    {
        // CPython's test_negative_timeout_raises_exception (ValueError there).
        var q = Create(QueueSize);
        var negative = TimeSpan.FromMilliseconds(-5);
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Put(1, negative));
        Assert.Throws<ArgumentOutOfRangeException>(() => q.TryPut(1, negative));
        q.Put(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Get(negative));
        Assert.Throws<ArgumentOutOfRangeException>(() => q.TryGet(out _, negative));
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Join(negative));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = q.PutAsync(1, negative).AsTask(); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = q.GetAsync(negative).AsTask(); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = q.JoinAsync(negative); });
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void Timeouts_LongerThanIntMaxMilliseconds_ThrowArgumentOutOfRangeEvenWithRoomOrItems()
    {
        // The same rule as every Concur wait, checked on entry: before, Put(item, TimeSpan.MaxValue) succeeded while
        // there was room and threw from deep inside the condition wait only once the queue was full.
        var q = Create(QueueSize);
        var tooLong = TimeSpan.FromDays(30);
        var putError = Assert.Throws<ArgumentOutOfRangeException>(() => q.Put(1, tooLong));
        Assert.Equal("timeout", putError.ParamName);
        Assert.Contains("InfiniteTimeSpan", putError.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => q.TryPut(1, TimeSpan.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = q.PutAsync(1, tooLong).AsTask(); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = q.TryPutAsync(1, tooLong).AsTask(); });
        q.Put(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Get(tooLong));
        Assert.Throws<ArgumentOutOfRangeException>(() => q.TryGet(out _, tooLong));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = q.GetAsync(tooLong).AsTask(); });
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Join(tooLong));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = q.JoinAsync(tooLong); });
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void Put_BoundedQueueFull_BlocksUntilGetMakesRoom()
    {
        var q = Create(2);
        q.Put(1);
        q.Put(2);
        BlockedPut_WakesOnGet(q, 3, Timeout.InfiniteTimeSpan);
        Assert.Equal(2, q.Count);
    }

    [Fact]
    public void Get_EmptyQueue_BlocksUntilPut()
    {
        var q = Create();
        Assert.Equal(9, BlockedGet_WakesOnPut(q, 9, Timeout.InfiniteTimeSpan));
        Assert.True(q.IsEmpty);
    }

    [Fact]
    public void Put_SeveralBlockedGetters_EachPutWakesOne()
    {
        var q = Create();
        var got = new int[3];
        var getters = Enumerable.Range(0, 3).Select(i => TestThreads.StartOne(() => got[i] = q.Get())).ToArray();
        Bounded.Until(() => q.WaitingGetters == 3, "three getters block");
        q.Put(1);
        q.Put(2);
        q.Put(3);
        foreach (var g in getters)
        {
            g.Join();
        }
        Assert.Equal(new[] { 1, 2, 3 }, got.Order());
    }

    // ---- TaskDone / Join ----------------------------------------------------------------------------------------

    [Fact]
    public void TaskDone_NothingPut_ThrowsInvalidOperation()
    {
        // CPython's test_queue_task_done (ValueError there).
        var q = Create();
        var error = Assert.Throws<InvalidOperationException>(q.TaskDone);
        Assert.Contains("TaskDone() called more times than there were items", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TaskDone_OneMoreThanItemsPut_Throws()
    {
        var q = Create();
        q.Put(1);
        q.Put(2);
        q.Get();
        q.Get();
        q.TaskDone();
        q.TaskDone();
        Assert.Equal(0, q.UnfinishedTaskCount);
        Assert.Throws<InvalidOperationException>(q.TaskDone);
        Assert.Equal(0, q.UnfinishedTaskCount);
    }

    [Fact]
    public void Join_NothingPut_ReturnsAtOnce()
    {
        var q = Create();
        q.Join();
        Assert.True(q.Join(TimeSpan.Zero));
        Assert.True(Bounded.Result(q.JoinAsync(TimeSpan.Zero)));
    }

    [Fact]
    public void Join_AllItemsMarkedDone_ReturnsAtOnce()
    {
        var q = Create();
        q.Put(1);
        q.Get();
        q.TaskDone();
        Assert.True(q.Join(TimeSpan.Zero));
    }

    [Fact]
    public void Join_ItemsPending_TimesOutWithFalse()
    {
        var q = Create();
        q.Put(1);
        Assert.False(q.Join(TimeSpan.Zero));
        q.Get();
        Assert.False(q.Join(s_short)); // taken but not marked done
        q.TaskDone();
        Assert.True(q.Join(s_short));
    }

    [Fact]
    public void Join_TwoWorkers_ReturnsOnlyAfterEveryItemIsDone_Twice()
    {
        // CPython's test_queue_join / queue_join_test, done twice on one queue.
        var q = Create();
        QueueJoinTest(q);
        QueueJoinTest(q);
        Assert.Throws<InvalidOperationException>(q.TaskDone);
    }

    private static void QueueJoinTest(BlockingQueue<int> q)
    {
        var sum = 0L;
        var workers = Enumerable.Range(0, 2).Select(_ => TestThreads.StartOne(() =>
        {
            while (true)
            {
                var x = q.Get(s_long);
                if (x < 0)
                {
                    q.TaskDone();
                    return;
                }
                Interlocked.Add(ref sum, x);
                q.TaskDone();
            }
        })).ToArray();
        for (var i = 0; i < 100; i++)
        {
            q.Put(i);
        }
        Assert.True(q.Join(s_long));
        Assert.Equal(Enumerable.Range(0, 100).Sum(), Interlocked.Read(ref sum));
        q.Put(-1);
        q.Put(-1);
        Assert.True(q.Join(s_long)); // join twice
        foreach (var w in workers)
        {
            w.Join();
        }
    }

    [Fact]
    public void Join_BlockedJoiner_WakesOnLastTaskDone()
    {
        var q = Create();
        q.Put(1);
        q.Put(2);
        var joiner = TestThreads.StartOne(() => q.Join());
        Bounded.Until(() => q.WaitingJoiners == 1, "the joiner blocks");
        q.Get();
        q.TaskDone();
        Assert.True(joiner.IsAlive);
        Assert.Equal(1, q.WaitingJoiners);
        q.Get();
        q.TaskDone();
        joiner.Join();
    }

    // ---- Shutdown (Python 3.13) ---------------------------------------------------------------------------------

    [Fact]
    public void Shutdown_EmptyQueue_PutAndGetThrowShutDown()
    {
        var q = Create(QueueSize);
        q.Shutdown();
        Assert.True(q.IsShutDown);
        Assert.Throws<QueueShutDownException>(() => q.Put(1));
        Assert.Throws<QueueShutDownException>(() => q.Put(1, s_short));
        Assert.Throws<QueueShutDownException>(() => q.TryPut(1));
        Assert.Throws<QueueShutDownException>(() => q.TryPut(1, s_short));
        Assert.Throws<QueueShutDownException>(() => q.Get());
        Assert.Throws<QueueShutDownException>(() => q.Get(s_short));
        Assert.Throws<QueueShutDownException>(() => q.TryGet(out _));
        Assert.Throws<QueueShutDownException>(() => q.TryGet(out _, s_short));
        q.Join(); // nothing was put
    }

    [Fact]
    public void Shutdown_NonImmediate_GetsDrainRemainingItemsThenThrow()
    {
        var q = Create(QueueSize);
        q.Put(1);
        q.Put(2);
        q.Shutdown();
        Assert.Equal(2, q.Count);
        Assert.Throws<QueueShutDownException>(() => q.Put(3));
        var drained = new[] { q.Get(), q.Get(s_short) };
        Assert.Equal(Expected(1, 2), drained);
        Assert.Throws<QueueShutDownException>(() => q.Get());
        Assert.Equal(2, q.UnfinishedTaskCount);
        Assert.False(q.Join(TimeSpan.Zero));
        q.TaskDone();
        q.TaskDone();
        Assert.True(q.Join(TimeSpan.Zero));
    }

    [Fact]
    public void Shutdown_Immediate_DropsItemsCountsThemDoneAndGetThrows()
    {
        var q = Create(QueueSize);
        q.Put(1);
        q.Put(2);
        q.Put(3);
        q.Shutdown(immediate: true);
        Assert.True(q.IsEmpty);
        Assert.Equal(0, q.UnfinishedTaskCount);
        Assert.Throws<QueueShutDownException>(() => q.Get());
        Assert.Throws<QueueShutDownException>(() => q.Put(4));
        q.Join();
        Assert.Throws<InvalidOperationException>(q.TaskDone);
    }

    [Fact]
    public void Shutdown_Immediate_ReleasesBlockedJoiner()
    {
        var q = Create();
        q.Put(1);
        q.Put(2);
        var joiner = TestThreads.StartOne(() => q.Join());
        Bounded.Until(() => q.WaitingJoiners == 1, "the joiner blocks");
        q.Shutdown(immediate: true);
        joiner.Join();
    }

    [Fact]
    public void Shutdown_ImmediateWithItemsInFlight_JoinWaitsForThoseTaskDones()
    {
        // CPython's test_shutdown_immediate_get_task_done_join: items already taken still count.
        var q = Create();
        q.Put(1);
        q.Put(2);
        q.Put(3);
        q.Get();
        q.Shutdown(immediate: true);
        Assert.Equal(1, q.UnfinishedTaskCount);
        var joiner = TestThreads.StartOne(() => q.Join());
        Bounded.Until(() => q.WaitingJoiners == 1, "the joiner blocks on the item in flight");
        q.TaskDone();
        joiner.Join();
    }

    [Fact]
    public void Shutdown_NonImmediate_DoesNotReleaseJoiner()
    {
        var q = Create();
        q.Put(1);
        q.Shutdown();
        Assert.False(q.Join(s_short));
        Assert.Equal(1, q.Get());
        q.TaskDone();
        Assert.True(q.Join(TimeSpan.Zero));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Shutdown_BlockedGetters_WakeAndThrow(bool immediate)
    {
        var q = Create();
        var errors = Enumerable.Range(0, 3).Select(_ => TestThreads.StartOne(() => q.Get())).ToArray();
        var asyncGetter = q.GetAsync().AsTask();
        Bounded.Until(() => q.WaitingGetters == 4, "four getters block");
        q.Shutdown(immediate);
        foreach (var t in errors)
        {
            Assert.IsType<QueueShutDownException>(t.JoinError());
        }
        await Assert.ThrowsAsync<QueueShutDownException>(() => Bounded.Within(asyncGetter));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Shutdown_BlockedPutters_WakeAndThrowWithoutAddingTheirItems(bool immediate)
    {
        var q = Create(1);
        q.Put(1);
        var putters = Enumerable.Range(0, 2).Select(i => TestThreads.StartOne(() => q.Put(100 + i))).ToArray();
        var asyncPutter = q.PutAsync(200).AsTask();
        Bounded.Until(() => q.WaitingPutters == 3, "three putters block");
        q.Shutdown(immediate);
        foreach (var t in putters)
        {
            Assert.IsType<QueueShutDownException>(t.JoinError());
        }
        await Assert.ThrowsAsync<QueueShutDownException>(() => Bounded.Within(asyncPutter));
        Assert.Equal(immediate ? Array.Empty<int>() : new[] { 1 }, DrainUntilShutDown(q));
    }

    [Fact]
    public void Shutdown_CalledAgain_IsAllowedAndImmediateStillDrops()
    {
        // CPython's test_shutdown_allowed_transitions.
        var q = Create();
        q.Put(1);
        q.Shutdown();
        q.Shutdown();
        Assert.Equal(1, q.Count);
        q.Shutdown(immediate: true);
        Assert.True(q.IsShutDown);
        Assert.True(q.IsEmpty);
        q.Shutdown(immediate: true);
        q.Shutdown();
        Assert.True(q.Join(TimeSpan.Zero));
    }

    [Fact]
    public void GetConsumingEnumerable_AfterShutdown_YieldsRemainingItemsThenEnds()
    {
        var q = Create();
        q.Put(1);
        q.Put(2);
        q.Put(3);
        q.Shutdown();
        Assert.Equal(Expected(1, 2, 3), q.GetConsumingEnumerable().ToArray());
    }

    [Fact]
    public void GetConsumingEnumerable_Workers_EndWhenShutDown()
    {
        var q = Create(3);
        var sum = 0L;
        var workers = Enumerable.Range(0, 2).Select(_ => TestThreads.StartOne(() =>
        {
            foreach (var x in q.GetConsumingEnumerable())
            {
                Interlocked.Add(ref sum, x);
                q.TaskDone();
            }
        })).ToArray();
        for (var i = 1; i <= 100; i++)
        {
            q.Put(i);
        }
        Assert.True(q.Join(s_long));
        q.Shutdown();
        foreach (var w in workers)
        {
            w.Join();
        }
        Assert.Equal(5050, Interlocked.Read(ref sum));
    }

    // ---- Cancellation: a cancelled wait throws and loses nothing ------------------------------------------------

    [Fact]
    public void Get_CancelledWhileBlocked_ThrowsAndALaterItemIsNotLost()
    {
        var q = Create();
        using var cts = new CancellationTokenSource();
        var getter = TestThreads.StartOne(() => q.Get(cts.Token));
        Bounded.Until(() => q.WaitingGetters == 1, "the getter blocks");
        cts.Cancel();
        var error = Assert.IsAssignableFrom<OperationCanceledException>(getter.JoinError());
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(0, q.WaitingGetters);
        q.Put(5);
        Assert.True(q.TryGet(out var item));
        Assert.Equal(5, item);
    }

    [Fact]
    public void Put_CancelledWhileBlocked_ThrowsAndItemIsNotAdded()
    {
        var q = Create(1);
        q.Put(1);
        using var cts = new CancellationTokenSource();
        var putter = TestThreads.StartOne(() => q.Put(2, cts.Token));
        Bounded.Until(() => q.WaitingPutters == 1, "the putter blocks");
        cts.Cancel();
        Assert.IsAssignableFrom<OperationCanceledException>(putter.JoinError());
        Assert.Equal(1, q.Count);
        Assert.Equal(1, q.UnfinishedTaskCount);
        Assert.Equal(new[] { 1 }, Drain(q));
    }

    [Fact]
    public void Join_CancelledWhileBlocked_Throws()
    {
        var q = Create();
        q.Put(1);
        using var cts = new CancellationTokenSource();
        var joiner = TestThreads.StartOne(() => q.Join(cts.Token));
        Bounded.Until(() => q.WaitingJoiners == 1, "the joiner blocks");
        cts.Cancel();
        Assert.IsAssignableFrom<OperationCanceledException>(joiner.JoinError());
        Assert.Equal(0, q.WaitingJoiners);
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void Calls_TokenAlreadyCancelled_ThrowAndChangeNothing()
    {
        var q = Create(2);
        q.Put(1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => q.Get(cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => q.TryGet(out _, s_long, cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => q.Put(2, cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => q.Join(cts.Token));
        Assert.True(q.GetAsync(cts.Token).AsTask().IsCanceled);
        Assert.True(q.PutAsync(2, cts.Token).AsTask().IsCanceled);
        Assert.True(q.JoinAsync(cts.Token).IsCanceled);
        Assert.Equal(new[] { 1 }, Drain(q));
    }

    [Fact]
    public void Put_OneOfTwoBlockedGettersCancelled_TheOtherGetsTheItem()
    {
        // A cancelled waiter must not swallow the notify meant for a getter that still waits.
        var q = Create();
        using var cts = new CancellationTokenSource();
        var cancelled = TestThreads.StartOne(() => q.Get(cts.Token));
        Bounded.Until(() => q.WaitingGetters == 1, "the first getter blocks");
        var got = -1;
        var patient = TestThreads.StartOne(() => got = q.Get());
        Bounded.Until(() => q.WaitingGetters == 2, "the second getter blocks");
        cts.Cancel();
        Assert.IsAssignableFrom<OperationCanceledException>(cancelled.JoinError());
        q.Put(8);
        patient.Join();
        Assert.Equal(8, got);
    }

    [Fact]
    public void Get_OneOfTwoBlockedPuttersTimesOut_TheOtherPutsItsItem()
    {
        // The first putter's timeout is long enough for the second putter to queue up behind it on an idle machine,
        // so that the timed-out waiter is the first in line; on a busy machine it may time out before the second one
        // arrives, and the test still checks that the patient putter gets the room. No step waits for a window to
        // be observed.
        var q = Create(1);
        q.Put(1);
        var timedOut = TestThreads.StartOne(() => q.Put(2, TimeSpan.FromMilliseconds(500)));
        Bounded.Until(() => q.WaitingPutters == 1 || !timedOut.IsAlive, "the first putter blocks");
        var patient = TestThreads.StartOne(() => q.Put(3));
        Assert.IsType<QueueFullException>(timedOut.JoinError());
        Bounded.Until(() => q.WaitingPutters == 1, "the second putter blocks");
        Assert.Equal(1, q.Get());
        patient.Join();
        Assert.Equal(new[] { 3 }, Drain(q));
    }

    // ---- Async twins --------------------------------------------------------------------------------------------

    [Fact]
    public async Task PutAsyncGetAsync_Uncontended_RoundTrip()
    {
        var q = Create(QueueSize);
        await q.PutAsync(1);
        await q.PutAsync(2, s_long);
        Assert.True(await q.TryPutAsync(3, TimeSpan.Zero));
        Assert.Equal(Expected(1, 2, 3), new[] { await q.GetAsync(), await q.GetAsync(s_long), await q.GetAsync(TimeSpan.Zero) });
    }

    [Fact]
    public async Task TryGetAsync_ItemAvailable_ReturnsTakenAndTheItem()
    {
        var q = Create(QueueSize);
        q.Put(5);
        var (taken, item) = await q.TryGetAsync(TimeSpan.Zero);
        Assert.True(taken);
        Assert.Equal(5, item);
        Assert.True(q.IsEmpty);
    }

    [Fact]
    public async Task TryGetAsync_EmptyQueueTimesOut_ReturnsNotTakenWithoutThrowing()
    {
        var q = Create();
        Assert.Equal((false, 0), await q.TryGetAsync(TimeSpan.Zero));
        Assert.Equal((false, 0), await Bounded.Within(q.TryGetAsync(TimeSpan.FromMilliseconds(20)).AsTask()));
    }

    [Fact]
    public async Task TryGetAsync_EmptyQueue_CompletesWhenAThreadPuts()
    {
        var q = Create();
        var pending = q.TryGetAsync(Bounded.Limit).AsTask();
        Bounded.Until(() => q.WaitingGetters == 1, "the async getter waits");
        var putter = TestThreads.StartOne(() => q.Put(12));
        Assert.Equal((true, 12), await Bounded.Within(pending));
        putter.Join();
    }

    [Fact]
    public async Task TryGetAsync_ShutDownWhileWaiting_ThrowsQueueShutDown()
    {
        var q = Create();
        var pending = q.TryGetAsync(Bounded.Limit).AsTask();
        Bounded.Until(() => q.WaitingGetters == 1, "the async getter waits");
        q.Shutdown();
        await Assert.ThrowsAsync<QueueShutDownException>(() => Bounded.Within(pending));
    }

    [Fact]
    public async Task TryGetAsync_Cancelled_ThrowsAndRemovesNothing()
    {
        var q = Create();
        using var cts = new CancellationTokenSource();
        var pending = q.TryGetAsync(Bounded.Limit, cts.Token).AsTask();
        Bounded.Until(() => q.WaitingGetters == 1, "the async getter waits");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(pending));
        q.Put(1);
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public async Task GetAsync_EmptyQueue_CompletesWhenAThreadPuts()
    {
        var q = Create();
        var pending = q.GetAsync().AsTask();
        Bounded.Until(() => q.WaitingGetters == 1, "the async getter waits");
        Assert.False(pending.IsCompleted);
        var putter = TestThreads.StartOne(() => q.Put(11));
        Assert.Equal(11, await Bounded.Within(pending));
        putter.Join();
    }

    [Fact]
    public async Task PutAsync_FullQueue_CompletesWhenAThreadGets()
    {
        var q = Create(1);
        q.Put(1);
        var pending = q.PutAsync(2).AsTask();
        Bounded.Until(() => q.WaitingPutters == 1, "the async putter waits");
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, q.Get());
        await Bounded.Within(pending);
        Assert.Equal(2, q.Get());
    }

    [Fact]
    public async Task GetAsyncWithTimeout_EmptyQueue_ThrowsQueueEmpty()
    {
        var q = Create();
        await Assert.ThrowsAsync<QueueEmptyException>(() => Bounded.Within(q.GetAsync(s_short).AsTask()));
        await Assert.ThrowsAsync<QueueEmptyException>(() => q.GetAsync(TimeSpan.Zero).AsTask());
    }

    [Fact]
    public async Task PutAsyncWithTimeout_FullQueue_ThrowsQueueFullAndTryPutAsyncReturnsFalse()
    {
        var q = Create(1);
        q.Put(1);
        await Assert.ThrowsAsync<QueueFullException>(() => Bounded.Within(q.PutAsync(2, s_short).AsTask()));
        Assert.False(await Bounded.Within(q.TryPutAsync(2, s_short).AsTask()));
        Assert.Equal(new[] { 1 }, Drain(q));
    }

    [Fact]
    public async Task GetAsync_CancelledWhileWaiting_ThrowsAndLaterItemIsNotLost()
    {
        var q = Create();
        using var cts = new CancellationTokenSource();
        var pending = q.GetAsync(cts.Token).AsTask();
        Bounded.Until(() => q.WaitingGetters == 1, "the async getter waits");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(pending));
        Assert.Equal(0, q.WaitingGetters);
        q.Put(3);
        Assert.Equal(3, await q.GetAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task PutAsync_CancelledWhileWaiting_ThrowsAndItemIsNotAdded()
    {
        var q = Create(1);
        q.Put(1);
        using var cts = new CancellationTokenSource();
        var pending = q.PutAsync(2, cts.Token).AsTask();
        Bounded.Until(() => q.WaitingPutters == 1, "the async putter waits");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(pending));
        Assert.Equal(new[] { 1 }, Drain(q));
    }

    [Fact]
    public async Task JoinAsync_WaitsForTaskDoneAndHonoursTimeoutAndCancellation()
    {
        var q = Create();
        q.Put(1);
        Assert.False(await Bounded.Within(q.JoinAsync(s_short)));
        using var cts = new CancellationTokenSource();
        var cancelled = q.JoinAsync(cts.Token);
        var joined = q.JoinAsync();
        Bounded.Until(() => q.WaitingJoiners == 2, "two async joiners wait");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(cancelled));
        Assert.False(joined.IsCompleted);
        q.Get();
        q.TaskDone();
        await Bounded.Within(joined);
    }

    [Fact]
    public async Task GetConsumingAsyncEnumerable_AfterShutdown_YieldsRemainingItemsThenEnds()
    {
        var q = Create();
        q.Put(1);
        q.Put(2);
        var consumer = Task.Run(async () =>
        {
            var seen = new List<int>();
            await foreach (var x in q.GetConsumingAsyncEnumerable())
            {
                seen.Add(x);
            }
            return seen;
        });
        Bounded.Until(() => q.IsEmpty && q.WaitingGetters == 1, "the consumer drains and waits");
        q.Put(3);
        Bounded.Until(() => q.IsEmpty && q.WaitingGetters == 1, "the consumer takes the third item");
        q.Shutdown();
        var seen = await Bounded.Within(consumer);
        Assert.Equal(new[] { 1, 2, 3 }, seen.Order());
    }

    [Fact]
    public async Task SyncAndAsyncCallers_ShareOneQueue()
    {
        var q = Create(2);
        var asyncGetter = q.GetAsync().AsTask();
        var got = -1;
        var syncGetter = TestThreads.StartOne(() => got = q.Get());
        Bounded.Until(() => q.WaitingGetters == 2, "both getters wait");
        await q.PutAsync(1);
        q.Put(2);
        syncGetter.Join();
        var asyncGot = await Bounded.Within(asyncGetter);
        Assert.Equal(new[] { 1, 2 }, new[] { got, asyncGot }.Order());
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------

    private static int[] Drain(BlockingQueue<int> q)
    {
        var items = new List<int>();
        while (q.TryGet(out var item))
        {
            items.Add(item);
        }
        return items.ToArray();
    }

    private static int[] DrainUntilShutDown(BlockingQueue<int> q)
    {
        var items = new List<int>();
        while (true)
        {
            try
            {
                if (!q.TryGet(out var item))
                {
                    return items.ToArray();
                }
                items.Add(item);
            }
            catch (QueueShutDownException)
            {
                return items.ToArray();
            }
        }
    }
}

public sealed class FifoQueueContractTests : BlockingQueueContractTests
{
    protected override BlockingQueue<int> Create(int maxSize = 0) => new FifoQueue<int>(maxSize);

    protected override int[] Expected(params int[] putOrder) => putOrder;
}

public sealed class LifoQueueContractTests : BlockingQueueContractTests
{
    protected override BlockingQueue<int> Create(int maxSize = 0) => new LifoQueue<int>(maxSize);

    protected override int[] Expected(params int[] putOrder) => putOrder.Reverse().ToArray();
}

public sealed class PriorityOrderQueueContractTests : BlockingQueueContractTests
{
    protected override BlockingQueue<int> Create(int maxSize = 0) => new PriorityOrderQueue<int>(maxSize);

    protected override int[] Expected(params int[] putOrder) => putOrder.Order().ToArray();
}
