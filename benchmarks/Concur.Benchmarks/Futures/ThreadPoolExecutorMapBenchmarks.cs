using BenchmarkDotNet.Attributes;
using Concur;

namespace Concur.Benchmarks.Futures;

/// <summary>
/// Map of 10,000 trivial items, in order, against starting one <see cref="Task.Run(Func{int})"/> per item and
/// awaiting them all (the baseline).
/// </summary>
[MemoryDiagnoser]
public class ThreadPoolExecutorMapBenchmarks
{
    private const int Items = 10_000;
    private static readonly Func<int, int> s_increment = static x => x + 1;
    private ThreadPoolExecutor _executor = null!;

    [GlobalSetup]
    public void Setup()
    {
        _executor = new ThreadPoolExecutor(Environment.ProcessorCount);
        _ = _executor.Map(s_increment, Enumerable.Range(0, 100)).Sum();
    }

    [GlobalCleanup]
    public void Cleanup() => _executor.Dispose();

    [Benchmark(Baseline = true, Description = "Task.Run x 10,000 + WhenAll")]
    public async Task<long> TaskRunAll()
    {
        var tasks = new Task<int>[Items];
        for (var i = 0; i < Items; i++)
        {
            var item = i;
            tasks[i] = Task.Run(() => s_increment(item));
        }
        long sum = 0;
        foreach (var result in await Task.WhenAll(tasks))
        {
            sum += result;
        }
        return sum;
    }

    [Benchmark(Description = "Map(10,000), chunkSize 1")]
    public long Map() => _executor.Map(s_increment, Enumerable.Range(0, Items)).Sum(x => (long)x);

    [Benchmark(Description = "Map(10,000), chunkSize 100")]
    public long MapChunked() => _executor.Map(s_increment, Enumerable.Range(0, Items), chunkSize: 100).Sum(x => (long)x);

    [Benchmark(Description = "MapUnordered(10,000), chunkSize 1")]
    public long MapUnordered() => _executor.MapUnordered(s_increment, Enumerable.Range(0, Items)).Sum(x => (long)x);
}
