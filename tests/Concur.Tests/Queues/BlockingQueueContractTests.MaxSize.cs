using Concur.Tests.Support;

namespace Concur.Tests.Queues;

/// <summary>
/// A bound changed at run time (CPython's <c>test_shrinking_queue</c>, and the growth that must wake putters) and the
/// queue's description, for every queue kind.
/// </summary>
public abstract partial class BlockingQueueContractTests
{
    [Fact]
    public void MaxSize_ShrunkBelowCount_KeepsTheItemsAndPutsWaitUntilFewerThanTheNewBound()
    {
        // CPython's test_shrinking_queue (issue 10110).
        var q = Create(3);
        q.Put(1);
        q.Put(2);
        q.Put(3);
        Assert.False(q.TryPut(4));
        Assert.Equal(3, q.Count);

        q.MaxSize = 2;

        Assert.Equal(2, q.MaxSize);
        Assert.Equal(3, q.Count);
        Assert.True(q.IsFull);
        Assert.False(q.TryPut(4));
        q.Get();
        Assert.False(q.TryPut(4), "2 items in a queue bounded at 2: still full.");
        q.Get();
        Assert.True(q.TryPut(4));
        Assert.Equal(2, q.Count);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task MaxSize_Grown_WakesABlockedPutter(CallMode mode)
    {
        var q = Create(1);
        q.Put(1);
        using var threads = new TestThreads();
        var putting = PutTwin(mode, threads, q, 2, s_long);
        Bounded.Until(() => q.WaitingPutters == 1, "the putter waits");

        q.MaxSize = 2;

        await Bounded.Within(putting);
        Assert.Equal(2, q.Count);
        Assert.Equal(0, q.WaitingPutters);
    }

    [Fact]
    public async Task MaxSize_GrownByTwo_WakesABlockingAndAnAsynchronousPutter()
    {
        var q = Create(1);
        q.Put(1);
        using var threads = new TestThreads();
        var blocking = PutTwin(CallMode.Sync, threads, q, 2, s_long);
        var awaiting = PutTwin(CallMode.Async, threads, q, 3, s_long);
        Bounded.Until(() => q.WaitingPutters == 2, "both putters wait");

        q.MaxSize = 3;

        await Bounded.Within(Task.WhenAll(blocking, awaiting));
        Assert.Equal(3, q.Count);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task MaxSize_GrownByOne_WakesOnePutterAndTheOtherWaitsForAGet(CallMode mode)
    {
        var q = Create(1);
        q.Put(1);
        using var threads = new TestThreads();
        var first = PutTwin(mode, threads, q, 2, s_long);
        var second = PutTwin(mode, threads, q, 3, s_long);
        Bounded.Until(() => q.WaitingPutters == 2, "both putters wait");

        q.MaxSize = 2;

        Bounded.Until(() => q.Count == 2, "one putter got the new slot");
        Assert.Equal(1, q.WaitingPutters);
        // The item is in before the putter's task completes (an async twin's completion runs afterwards): wait for it.
        Bounded.Until(() => first.IsCompleted || second.IsCompleted, "the putter that got the slot finishes");
        Assert.True(first.IsCompleted ^ second.IsCompleted, "Exactly one putter finished.");

        q.Get();
        await Bounded.Within(Task.WhenAll(first, second));
        Assert.Equal(2, q.Count);
    }

    [Fact]
    public async Task MaxSize_SetToZero_RemovesTheBoundAndWakesEveryPutter()
    {
        var q = Create(1);
        q.Put(1);
        using var threads = new TestThreads();
        var putters = Enumerable.Range(0, 3)
            .Select(i => PutTwin(i % 2 == 0 ? CallMode.Sync : CallMode.Async, threads, q, 10 + i, s_long))
            .ToArray();
        Bounded.Until(() => q.WaitingPutters == 3, "three putters wait");

        q.MaxSize = 0;

        await Bounded.Within(Task.WhenAll(putters));
        Assert.Equal(4, q.Count);
        Assert.False(q.IsFull);
        Assert.True(q.TryPut(99));
    }

    [Fact]
    public void MaxSize_UnboundedQueueGetsABound_PutsBlockFromThen()
    {
        var q = Create();
        q.Put(1);
        q.Put(2);
        q.MaxSize = 2;
        Assert.True(q.IsFull);
        Assert.False(q.TryPut(3));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void MaxSize_SetNegative_ThrowsAndKeepsTheBound(int maxSize)
    {
        var q = Create(QueueSize);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => q.MaxSize = maxSize);
        Assert.Contains("0 (unbounded) or positive", ex.Message, StringComparison.Ordinal);
        Assert.Equal(QueueSize, q.MaxSize);
    }

    [Fact]
    public void ToString_Fresh_ShowsKindCountAndBound()
    {
        var q = Create(QueueSize);
        var kind = q.GetType().Name[..q.GetType().Name.IndexOf('`', StringComparison.Ordinal)];
        Assert.Equal($"{kind}<Int32> (0 items, max size {QueueSize})", q.ToString());
        q.Put(1);
        Assert.Equal($"{kind}<Int32> (1 item, max size {QueueSize}, 1 unfinished task)", q.ToString());
        Assert.Equal($"{kind}<Int32> (0 items, unbounded)", Create().ToString());
    }

    [Fact]
    public async Task ToString_WaitersAndShutdown_ShowsWhatIsPending()
    {
        var q = Create(1);
        using var threads = new TestThreads();
        var getting = GetTwin(CallMode.Sync, threads, q, s_long);
        Bounded.Until(() => q.WaitingGetters == 1, "the getter waits");
        Assert.EndsWith("(0 items, max size 1, 1 getter waiting)", q.ToString(), StringComparison.Ordinal);

        q.Put(1);
        Assert.Equal(1, await Bounded.Within(getting));
        q.Put(2);
        var putting = PutTwin(CallMode.Async, threads, q, 3, s_long);
        Bounded.Until(() => q.WaitingPutters == 1, "the putter waits");
        Assert.EndsWith("(1 item, max size 1, 2 unfinished tasks, 1 putter waiting)", q.ToString(), StringComparison.Ordinal);

        q.Shutdown(immediate: true);
        await Assert.ThrowsAsync<QueueShutDownException>(() => Bounded.Within(putting));
        Assert.EndsWith("(0 items, max size 1, 1 unfinished task, shut down)", q.ToString(), StringComparison.Ordinal);
    }
}
