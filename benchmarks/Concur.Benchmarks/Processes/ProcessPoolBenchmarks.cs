using BenchmarkDotNet.Attributes;

namespace Concur.Benchmarks.Processes;

/// <summary>
/// BenchmarkDotNet micro-benchmarks of the process pool (warm pool of 2 workers). The side-by-side comparison with
/// CPython uses <see cref="ProcessComparison"/> (benchmarks/compare-processes.sh), which measures the same
/// operations the same way as benchmarks/python/process_pool.py.
/// </summary>
[MemoryDiagnoser]
public class ProcessPoolBenchmarks
{
    private ProcessPoolExecutor _pool = null!;
    private int[] _items = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new ProcessPoolExecutor(maxWorkers: 2);
        _pool.Submit(ProcessWork.Identity, 0).GetAwaiter().GetResult();
        _items = Enumerable.Range(0, 100_000).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    /// <summary>One warm submit-to-result round trip.</summary>
    [Benchmark]
    public int RoundTrip() => _pool.Submit(ProcessWork.Identity, 1).GetAwaiter().GetResult();

    /// <summary>1,000 submits, then wait for all.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public void Submit1000()
    {
        var tasks = new Task<int>[1000];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = _pool.Submit(ProcessWork.Identity, i);
        }
        Task.WaitAll(tasks);
    }

    /// <summary>Map of 100,000 trivial items with the default chunk size.</summary>
    [Benchmark(OperationsPerInvoke = 100_000)]
    public int Map100k()
    {
        int last = 0;
        foreach (int r in _pool.Map(ProcessWork.Identity, _items))
        {
            last = r;
        }
        return last;
    }
}
