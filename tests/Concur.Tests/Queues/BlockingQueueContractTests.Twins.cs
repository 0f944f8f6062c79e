using Concur.Tests.Support;

namespace Concur.Tests.Queues;

/// <summary>
/// The blocking contract of every queue in both call modes: <c>Put</c>/<c>Get</c>/<c>Join</c> on a thread of their
/// own, and <c>PutAsync</c>/<c>GetAsync</c>/<c>JoinAsync</c> awaited. Both twins run one core with a <c>sync</c> flag,
/// so both must pass the same tests.
/// </summary>
public abstract partial class BlockingQueueContractTests
{
    private static Task<int> GetTwin(CallMode mode, TestThreads threads, BlockingQueue<int> q, TimeSpan timeout, CancellationToken token = default) =>
        Twin.Start(mode, threads, () => q.Get(timeout, token), async () => await q.GetAsync(timeout, token));

    private static Task PutTwin(CallMode mode, TestThreads threads, BlockingQueue<int> q, int item, TimeSpan timeout, CancellationToken token = default) =>
        Twin.Start(mode, threads, () => q.Put(item, timeout, token), async () => await q.PutAsync(item, timeout, token));

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Get_Empty_BlocksUntilAPut(CallMode mode)
    {
        var q = Create(QueueSize);
        using var threads = new TestThreads();
        var getting = GetTwin(mode, threads, q, s_long);
        Bounded.Until(() => q.WaitingGetters == 1, "the getter waits");
        Assert.False(getting.IsCompleted);

        q.Put(7);

        Assert.Equal(7, await Bounded.Within(getting));
        Assert.True(q.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Put_Full_BlocksUntilAGet(CallMode mode)
    {
        var q = Create(1);
        q.Put(1);
        using var threads = new TestThreads();
        var putting = PutTwin(mode, threads, q, 2, s_long);
        Bounded.Until(() => q.WaitingPutters == 1, "the putter waits");
        Assert.False(putting.IsCompleted);

        Assert.Equal(1, q.Get());

        await Bounded.Within(putting);
        Assert.Equal(2, q.Get(TimeSpan.Zero));
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Get_TimeoutOnEmpty_ThrowsQueueEmptyAndLeavesNoWaiter(CallMode mode)
    {
        var q = Create(QueueSize);
        using var threads = new TestThreads();

        await Assert.ThrowsAsync<QueueEmptyException>(() => Bounded.Within(GetTwin(mode, threads, q, s_short)));
        Assert.Equal(0, q.WaitingGetters);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Put_CancelledWhileFull_ThrowsAndAddsNothing(CallMode mode)
    {
        var q = Create(1);
        q.Put(1);
        using var threads = new TestThreads();
        using var cts = new CancellationTokenSource();
        var putting = PutTwin(mode, threads, q, 2, s_long, cts.Token);
        Bounded.Until(() => q.WaitingPutters == 1, "the putter waits");

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(putting));
        Assert.Equal(1, q.Count);
        Assert.Equal(0, q.WaitingPutters);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Get_ShutDownWhileWaiting_ThrowsQueueShutDown(CallMode mode)
    {
        var q = Create(QueueSize);
        using var threads = new TestThreads();
        var getting = GetTwin(mode, threads, q, s_long);
        Bounded.Until(() => q.WaitingGetters == 1, "the getter waits");

        q.Shutdown();

        await Assert.ThrowsAsync<QueueShutDownException>(() => Bounded.Within(getting));
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task Join_PendingTasks_ReturnsOnceAllAreDone(CallMode mode)
    {
        var q = Create(QueueSize);
        q.Put(1);
        using var threads = new TestThreads();
        var joining = Twin.Start(mode, threads, () => q.Join(), () => q.JoinAsync());
        Bounded.Until(() => q.WaitingJoiners == 1, "the joiner waits");

        q.Get();
        q.TaskDone();

        await Bounded.Within(joining);
        Assert.Equal(0, q.UnfinishedTaskCount);
    }

    [Theory]
    [MemberData(nameof(Twin.Modes), MemberType = typeof(Twin))]
    public async Task PutAndGet_SizeOneQueueManyProducersAndConsumers_DeliverEveryItemOnce(CallMode mode)
    {
        // The case wait morphing is for: every put and get waits, and every wake-up must find the lock free.
        const int Pairs = 3;
        const int PerProducer = 300;
        var q = Create(1);
        using var threads = new TestThreads();
        var received = new int[Pairs * PerProducer];
        var producers = Enumerable.Range(0, Pairs).Select(p => Twin.Start(
            mode,
            threads,
            () =>
            {
                for (var i = 0; i < PerProducer; i++)
                {
                    q.Put((p * PerProducer) + i, s_long);
                }
            },
            async () =>
            {
                for (var i = 0; i < PerProducer; i++)
                {
                    await q.PutAsync((p * PerProducer) + i, s_long);
                }
            }));
        var consumers = Enumerable.Range(0, Pairs).Select(_ => Twin.Start(
            mode,
            threads,
            () =>
            {
                for (var i = 0; i < PerProducer; i++)
                {
                    Interlocked.Increment(ref received[q.Get(s_long)]);
                }
            },
            async () =>
            {
                for (var i = 0; i < PerProducer; i++)
                {
                    Interlocked.Increment(ref received[await q.GetAsync(s_long)]);
                }
            }));

        await Bounded.Within(Task.WhenAll(producers.Concat(consumers)));

        Assert.All(received, n => Assert.Equal(1, n));
        Assert.True(q.IsEmpty);
    }
}
