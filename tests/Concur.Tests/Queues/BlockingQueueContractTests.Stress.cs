using Concur.Tests.Support;

namespace Concur.Tests.Queues;

/// <summary>Many producers and consumers on one queue: every item is received exactly once.</summary>
public abstract partial class BlockingQueueContractTests
{
    private const int Producers = 4;
    private const int Consumers = 4;

    // Sized so that every item still passes through contended puts and gets, yet the test ends well within
    // Bounded.Limit on two cores that are busy with other work: a queue of size 1 needs a thread wake-up per item,
    // and a woken thread can wait milliseconds for a core when the machine is loaded (measured: 300 to 600 items/s
    // with both cores saturated, against more than 20,000 items/s idle).
    private const int ItemsPerProducer = 2_500;
    private const int ItemsPerProducerThroughOneSlot = 500;

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(1)]
    public void Stress_FourProducersFourConsumers_EveryItemReceivedExactlyOnce(int maxSize)
    {
        var q = Create(maxSize);
        var perProducer = maxSize == 1 ? ItemsPerProducerThroughOneSlot : ItemsPerProducer;
        var seen = new int[Producers * perProducer];
        var producers = Enumerable.Range(0, Producers).Select(p => TestThreads.StartOne(
            () =>
            {
                for (var i = 0; i < perProducer; i++)
                {
                    q.Put((p * perProducer) + i, s_long);
                }
            },
            $"producer-{p}")).ToArray();
        var consumers = Enumerable.Range(0, Consumers).Select(c => TestThreads.StartOne(
            () =>
            {
                foreach (var item in q.GetConsumingEnumerable())
                {
                    Interlocked.Increment(ref seen[item]);
                    q.TaskDone();
                }
            },
            $"consumer-{c}")).ToArray();
        foreach (var p in producers)
        {
            p.Join();
        }
        Assert.True(q.Join(Bounded.Limit), "every item marked done");
        q.Shutdown();
        foreach (var c in consumers)
        {
            c.Join();
        }
        Assert.All(seen, count => Assert.Equal(1, count));
        Assert.True(q.IsEmpty);
        Assert.Equal(0, q.UnfinishedTaskCount);
    }

    [Fact]
    public void Stress_ConsumersWithTinyTimeoutsAndTryGet_EveryItemReceivedExactlyOnce()
    {
        // CPython's test_many_threads_timeout / _nonblock: consumers that time out over and over lose nothing.
        var q = Create(8);
        // Small enough to finish well within Bounded.Limit on two busy cores, where the polling consumers compete
        // with the producer for CPU time.
        const int total = 4_000;
        var seen = new int[total];
        var received = 0;
        var producer = TestThreads.StartOne(() =>
        {
            for (var i = 0; i < total; i++)
            {
                q.Put(i, s_long);
            }
        });
        var consumers = Enumerable.Range(0, 4).Select(c => TestThreads.StartOne(() =>
        {
            while (Volatile.Read(ref received) < total)
            {
                var got = c % 2 == 0
                    ? q.TryGet(out var item, TimeSpan.FromTicks(100))
                    : q.TryGet(out item);
                if (got)
                {
                    Interlocked.Increment(ref seen[item]);
                    Interlocked.Increment(ref received);
                }
                else if (c % 2 == 1)
                {
                    Thread.Yield();
                }
            }
        })).ToArray();
        producer.Join();
        foreach (var c in consumers)
        {
            c.Join();
        }
        Assert.All(seen, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task Stress_AsyncAndSyncProducersAndConsumers_EveryItemReceivedExactlyOnce()
    {
        var q = Create(32);
        const int perProducer = 5_000;
        var seen = new int[4 * perProducer];
        var syncProducers = Enumerable.Range(0, 2).Select(p => TestThreads.StartOne(() =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                q.Put((p * perProducer) + i);
            }
        })).ToArray();
        var asyncProducers = Enumerable.Range(2, 2).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                await q.PutAsync((p * perProducer) + i);
            }
        })).ToArray();
        var syncConsumers = Enumerable.Range(0, 2).Select(_ => TestThreads.StartOne(() =>
        {
            foreach (var item in q.GetConsumingEnumerable())
            {
                Interlocked.Increment(ref seen[item]);
                q.TaskDone();
            }
        })).ToArray();
        var asyncConsumers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await foreach (var item in q.GetConsumingAsyncEnumerable())
            {
                Interlocked.Increment(ref seen[item]);
                q.TaskDone();
            }
        })).ToArray();
        foreach (var p in syncProducers)
        {
            p.Join();
        }
        await Bounded.Within(Task.WhenAll(asyncProducers));
        Assert.True(await Bounded.Within(q.JoinAsync(Bounded.Limit)));
        q.Shutdown();
        foreach (var c in syncConsumers)
        {
            c.Join();
        }
        await Bounded.Within(Task.WhenAll(asyncConsumers));
        Assert.All(seen, count => Assert.Equal(1, count));
    }

    [Fact]
    public void Stress_CancellingBlockedGettersWhileProducing_LosesNothing()
    {
        var q = Create(4);
        const int total = 2_000; // Ends well within Bounded.Limit on two busy cores.
        var seen = new int[total];
        var received = 0;
        var producer = TestThreads.StartOne(() =>
        {
            for (var i = 0; i < total; i++)
            {
                q.Put(i, s_long);
            }
        });
        var consumers = Enumerable.Range(0, 3).Select(_ => TestThreads.StartOne(() =>
        {
            var random = new Random(Environment.CurrentManagedThreadId);
            while (Volatile.Read(ref received) < total)
            {
                using var cts = new CancellationTokenSource();
                cts.CancelAfter(TimeSpan.FromTicks(random.Next(1, 2000)));
                try
                {
                    var item = q.Get(cts.Token);
                    Interlocked.Increment(ref seen[item]);
                    Interlocked.Increment(ref received);
                }
                catch (OperationCanceledException)
                {
                }
            }
        })).ToArray();
        producer.Join();
        foreach (var c in consumers)
        {
            c.Join();
        }
        Assert.All(seen, count => Assert.Equal(1, count));
        Assert.True(q.IsEmpty);
    }
}
