using BenchmarkDotNet.Attributes;

namespace Concur.Benchmarks.Processes;

/// <summary>
/// Map over a source whose size is known (an array) against the same items through <c>.Where(_ => true)</c>, whose
/// size is only known by enumerating it (issue 7, point 4): <see cref="ProcessPoolExecutor.Map{T, TResult}"/> with
/// 1,000,000 trivial items and <see cref="ProcessPool.Imap{T, TResult}"/> with 200,000, both with their default chunk
/// size, on warm pools of 2 workers. Each benchmark is one whole map; compare the array row with the unknown-size row.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[MaxColumn]
public class MapChunkingBenchmarks
{
    private ProcessPoolExecutor _executor = null!;
    private ProcessPool _pool = null!;
    private int[] _million = null!;
    private int[] _twoHundredThousand = null!;

    [GlobalSetup]
    public void Setup()
    {
        _executor = new ProcessPoolExecutor(maxWorkers: 2);
        _executor.Submit(ProcessWork.Identity, 0).GetAwaiter().GetResult();
        _pool = new ProcessPool(processes: 2);
        _pool.Apply(ProcessWork.Identity, 0);
        _million = Enumerable.Range(0, 1_000_000).ToArray();
        _twoHundredThousand = Enumerable.Range(0, 200_000).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _executor.Dispose();
        _pool.Dispose();
    }

    /// <summary>ProcessPoolExecutor.Map over an array of 1,000,000 items (size known: Python's chunk rule).</summary>
    [Benchmark(Baseline = true)]
    public int ExecutorMap_Array_1M() => Last(_executor.Map(ProcessWork.Identity, _million));

    /// <summary>ProcessPoolExecutor.Map over the same items with their size unknown.</summary>
    [Benchmark]
    public int ExecutorMap_UnknownSize_1M() => Last(_executor.Map(ProcessWork.Identity, _million.Where(static _ => true)));

    /// <summary>
    /// ProcessPoolExecutor.Map over the array with an explicit chunk size: what the adaptive cap (8,192) and Python's
    /// uncapped rule (125,000 here) cost against each other.
    /// </summary>
    [Benchmark]
    [Arguments(8_192)]
    [Arguments(16_384)]
    [Arguments(65_536)]
    public int ExecutorMap_Array_1M_ChunkSize(int chunkSize) => Last(_executor.Map(ProcessWork.Identity, _million, chunkSize: chunkSize));

    /// <summary>ProcessPool.Imap over an array of 200,000 items, default chunk size.</summary>
    [Benchmark]
    public int Imap_Array_200k() => Last(_pool.Imap(ProcessWork.Identity, _twoHundredThousand));

    /// <summary>ProcessPool.Imap over the same items with their size unknown, default chunk size.</summary>
    [Benchmark]
    public int Imap_UnknownSize_200k() => Last(_pool.Imap(ProcessWork.Identity, _twoHundredThousand.Where(static _ => true)));

    private static int Last(IEnumerable<int> results)
    {
        int last = 0;
        foreach (int r in results)
        {
            last = r;
        }
        return last;
    }
}
