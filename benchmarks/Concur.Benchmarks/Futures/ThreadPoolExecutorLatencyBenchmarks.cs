using BenchmarkDotNet.Attributes;
using Concur;

namespace Concur.Benchmarks.Futures;

/// <summary>
/// Submit-to-result latency: hand one trivial function to the executor and await its result, against
/// <see cref="Task.Run(Func{int})"/> on the .NET thread pool (the baseline).
/// </summary>
[MemoryDiagnoser]
public class ThreadPoolExecutorLatencyBenchmarks
{
    private static readonly Func<int> s_one = static () => 1;
    private static readonly Func<int, int> s_identity = static x => x;
    private ThreadPoolExecutor _executor = null!;

    [GlobalSetup]
    public void Setup()
    {
        _executor = new ThreadPoolExecutor(Environment.ProcessorCount);
        // Start the worker thread(s) outside the measurement.
        _executor.Submit(s_one).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _executor.Dispose();

    [Benchmark(Baseline = true, Description = "Task.Run + await")]
    public async Task<int> TaskRun() => await Task.Run(s_one);

    [Benchmark(Description = "ThreadPoolExecutor.Submit + await")]
    public async Task<int> Submit() => await _executor.Submit(s_identity, 1);
}
