using System.Collections.Concurrent;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace Concur.Benchmarks.Queues;

/// <summary>
/// Moves <see cref="Items"/> ints from producers to consumers through one queue: Concur's <see cref="FifoQueue{T}"/>
/// against <see cref="BlockingCollection{T}"/> (the baseline, also blocking threads) and an async
/// <see cref="Channel{T}"/>. Each consumer takes a fixed share, so no shutdown protocol is measured.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class QueueThroughputBenchmarks
{
    /// <summary>Items moved per operation.</summary>
    public const int Items = 100_000;

    /// <summary>Producer threads, and as many consumer threads.</summary>
    [Params(1, 4)]
    public int Threads { get; set; }

    /// <summary>Bound of the queue; 0 means unbounded. A bound of 1 makes nearly every put and get wait (issue 8: condition convoys).</summary>
    [Params(0, 1, 1000)]
    public int Capacity { get; set; }

    [Benchmark(Baseline = true)]
    public void BlockingCollection()
    {
        using var queue = Capacity > 0
            ? new BlockingCollection<int>(new ConcurrentQueue<int>(), Capacity)
            : new BlockingCollection<int>(new ConcurrentQueue<int>());
        Run(i => queue.Add(i), () => queue.Take());
    }

    [Benchmark]
    public void FifoQueue()
    {
        var queue = new FifoQueue<int>(Capacity);
        Run(i => queue.Put(i), () => queue.Get());
    }

    [Benchmark]
    public void Channel()
    {
        var channel = Capacity > 0
            ? System.Threading.Channels.Channel.CreateBounded<int>(new BoundedChannelOptions(Capacity)
            {
                SingleReader = Threads == 1,
                SingleWriter = Threads == 1,
            })
            : System.Threading.Channels.Channel.CreateUnbounded<int>(new UnboundedChannelOptions
            {
                SingleReader = Threads == 1,
                SingleWriter = Threads == 1,
            });
        var share = Items / Threads;
        var tasks = new Task[2 * Threads];
        for (var p = 0; p < Threads; p++)
        {
            var first = p * share;
            tasks[p] = Task.Run(async () =>
            {
                var writer = channel.Writer;
                for (var i = first; i < first + share; i++)
                {
                    if (!writer.TryWrite(i))
                    {
                        await writer.WriteAsync(i).ConfigureAwait(false);
                    }
                }
            });
        }
        for (var c = 0; c < Threads; c++)
        {
            tasks[Threads + c] = Task.Run(async () =>
            {
                var reader = channel.Reader;
                for (var n = 0; n < share; n++)
                {
                    if (!reader.TryRead(out _))
                    {
                        await reader.ReadAsync().ConfigureAwait(false);
                    }
                }
            });
        }
        Task.WaitAll(tasks);
    }

    private void Run(Action<int> put, Func<int> get)
    {
        var share = Items / Threads;
        var threads = new Thread[2 * Threads];
        for (var p = 0; p < Threads; p++)
        {
            var first = p * share;
            threads[p] = new Thread(() =>
            {
                for (var i = first; i < first + share; i++)
                {
                    put(i);
                }
            });
        }
        for (var c = 0; c < Threads; c++)
        {
            threads[Threads + c] = new Thread(() =>
            {
                for (var n = 0; n < share; n++)
                {
                    get();
                }
            });
        }
        foreach (var t in threads)
        {
            t.Start();
        }
        foreach (var t in threads)
        {
            t.Join();
        }
    }
}
