using System.Diagnostics;
using Concur.Lessons;

namespace Concur.Cli.Bench;

/// <summary>
/// Times the lesson's prime check sequentially and on each <see cref="BenchMode"/> with several worker counts,
/// reporting the median of the repeats. Like the lesson, a parallel run's time includes creating the executor and
/// shutting it down (Python's <c>with ProcessPoolExecutor() as pool:</c> block).
/// </summary>
internal static class PrimesBenchmark
{
    /// <summary>Runs every mode and returns one result per (mode, worker count), sequential first.</summary>
    /// <param name="workerCounts">The worker counts to try for each parallel mode.</param>
    /// <param name="repeat">How many times each configuration runs; the median is reported.</param>
    /// <param name="modes">The parallel modes.</param>
    /// <param name="onProgress">Called with a description before each configuration runs.</param>
    public static IReadOnlyList<BenchResult> Run(
        IReadOnlyList<int> workerCounts,
        int repeat,
        IReadOnlyList<BenchMode> modes,
        Action<string>? onProgress = null)
    {
        WarmUp(modes);
        onProgress?.Invoke(BenchMode.Sequential);
        var sequential = Median(repeat, () => TimeSequential());
        var results = new List<BenchResult> { new(BenchMode.Sequential, 1, sequential, 1.0, 1.0) };
        foreach (var mode in modes)
        {
            foreach (var workers in workerCounts)
            {
                onProgress?.Invoke($"{mode.Name} x {workers}");
                var seconds = Median(repeat, () => TimeExecutor(mode, workers));
                var speedup = sequential / seconds;
                results.Add(new BenchResult(mode.Name, workers, seconds, speedup, speedup / workers));
            }
        }
        return results;
    }

    // Lets the JIT compile the hot loop and the executors' code paths before anything is timed, so the first
    // configuration measured (sequential, the baseline) is not penalized.
    private static void WarmUp(IReadOnlyList<BenchMode> modes)
    {
        TimeSequential();
        foreach (var mode in modes)
        {
            using var executor = mode.CreateExecutor(1);
            _ = executor.Map(LessonPrimes.IsPrime, [1_000_003L, 1_000_033L]).ToArray();
        }
    }

    private static double TimeSequential()
    {
        var watch = Stopwatch.StartNew();
        var results = Primes.Numbers.Select(LessonPrimes.IsPrime).ToArray();
        watch.Stop();
        Primes.Verify(results, BenchMode.Sequential);
        return watch.Elapsed.TotalSeconds;
    }

    private static double TimeExecutor(BenchMode mode, int workers)
    {
        var watch = Stopwatch.StartNew();
        bool[] results;
        using (var executor = mode.CreateExecutor(workers))
        {
            results = executor.Map(LessonPrimes.IsPrime, Primes.Numbers).ToArray();
        }
        watch.Stop();
        Primes.Verify(results, $"{mode.Name} x {workers}");
        return watch.Elapsed.TotalSeconds;
    }

    private static double Median(int repeat, Func<double> measure)
    {
        var samples = new double[repeat];
        for (var i = 0; i < repeat; i++)
        {
            samples[i] = measure();
        }
        Array.Sort(samples);
        return repeat % 2 == 1 ? samples[repeat / 2] : (samples[(repeat / 2) - 1] + samples[repeat / 2]) / 2;
    }
}
