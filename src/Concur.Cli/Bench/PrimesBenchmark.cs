using System.Diagnostics;
using Concur.Lessons;

namespace Concur.Cli.Bench;

/// <summary>
/// Times the lesson's prime check with Concur: sequentially (each task timed as well), then on each
/// <see cref="BenchMode"/> with every worker count, cold (the pool created and shut down inside the timing, as the
/// lesson's <c>with ProcessPoolExecutor() as pool:</c>) and warm (one pool, started and with every worker having run
/// a task before the timed runs).
/// </summary>
internal static class PrimesBenchmark
{
    /// <summary>How long warming a pool may take before the warm rows start anyway.</summary>
    private static readonly TimeSpan s_warmUpBound = TimeSpan.FromSeconds(60);

    /// <summary>Runs every configuration <paramref name="runs"/> times.</summary>
    /// <param name="workload">The numbers to check.</param>
    /// <param name="workerCounts">The worker counts to try for each parallel mode.</param>
    /// <param name="runs">How many timed runs each configuration gets.</param>
    /// <param name="modes">The parallel modes.</param>
    /// <param name="onProgress">Called with a description before each configuration runs.</param>
    /// <returns>The rows, sequential first, and each task's median time over the sequential runs.</returns>
    public static RuntimeResult Run(
        PrimesWorkload workload,
        IReadOnlyList<int> workerCounts,
        int runs,
        IReadOnlyList<BenchMode> modes,
        Action<string>? onProgress = null)
    {
        WarmUpJit(modes);
        onProgress?.Invoke($"{Runtimes.Concur} {BenchMode.Sequential}");
        var (sequential, taskSeconds) = TimeSequential(workload, runs);
        var rows = new List<BenchRow> { new(Runtimes.Concur, BenchMode.Sequential, 1, Starts.None, sequential) };
        foreach (var workers in workerCounts)
        {
            foreach (var mode in modes)
            {
                onProgress?.Invoke($"{Runtimes.Concur} {mode.Name} x {workers} ({Starts.Cold})");
                rows.Add(new(Runtimes.Concur, mode.Name, workers, Starts.Cold, TimeCold(workload, mode, workers, runs)));
                onProgress?.Invoke($"{Runtimes.Concur} {mode.Name} x {workers} ({Starts.Warm})");
                rows.Add(new(Runtimes.Concur, mode.Name, workers, Starts.Warm, TimeWarm(workload, mode, workers, runs)));
            }
        }
        return new RuntimeResult(rows, taskSeconds);
    }

    // Lets the JIT compile the hot loop and the executors' code paths before anything is timed, so the first
    // configuration measured (sequential, the baseline) is not penalized.
    private static void WarmUpJit(IReadOnlyList<BenchMode> modes)
    {
        _ = LessonPrimes.Numbers.Select(LessonPrimes.IsPrime).ToArray();
        foreach (var mode in modes)
        {
            using var executor = mode.CreateExecutor(1);
            _ = executor.Map(LessonPrimes.IsPrime, [1_000_003L, 1_000_033L]).ToArray();
        }
    }

    private static (double[] Samples, double[] TaskSeconds) TimeSequential(PrimesWorkload workload, int runs)
    {
        var numbers = workload.Numbers;
        var samples = new double[runs];
        var perTask = new double[numbers.Count][];
        for (var i = 0; i < perTask.Length; i++)
        {
            perTask[i] = new double[runs];
        }
        var results = new bool[numbers.Count];
        for (var run = 0; run < runs; run++)
        {
            // The lesson's plain loop; each call is timed too (the per-task times give the best-schedule bound).
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < numbers.Count; i++)
            {
                var taskStart = Stopwatch.GetTimestamp();
                results[i] = LessonPrimes.IsPrime(numbers[i]);
                perTask[i][run] = Stopwatch.GetElapsedTime(taskStart).TotalSeconds;
            }
            samples[run] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            workload.Verify(results, BenchMode.Sequential);
        }
        return (samples, [.. perTask.Select(t => Samples.Median(t))]);
    }

    private static double[] TimeCold(PrimesWorkload workload, BenchMode mode, int workers, int runs)
    {
        var samples = new double[runs];
        for (var run = 0; run < runs; run++)
        {
            var start = Stopwatch.GetTimestamp();
            bool[] results;
            using (var executor = mode.CreateExecutor(workers))
            {
                results = executor.Map(LessonPrimes.IsPrime, workload.Numbers).ToArray();
            }
            samples[run] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            workload.Verify(results, $"{mode.Name} x {workers} ({Starts.Cold})");
        }
        return samples;
    }

    private static double[] TimeWarm(PrimesWorkload workload, BenchMode mode, int workers, int runs)
    {
        var samples = new double[runs];
        using var executor = mode.CreateExecutor(workers);
        WarmUp(executor, mode, workers);
        for (var run = 0; run < runs; run++)
        {
            var start = Stopwatch.GetTimestamp();
            var results = executor.Map(LessonPrimes.IsPrime, workload.Numbers).ToArray();
            samples[run] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            workload.Verify(results, $"{mode.Name} x {workers} ({Starts.Warm})");
        }
        return samples;
    }

    // Maps short pausing tasks until every worker has run one (bounded: a pool that cannot start them all still runs).
    private static void WarmUp(IExecutor executor, BenchMode mode, int workers)
    {
        var seen = new HashSet<long>();
        var start = Stopwatch.GetTimestamp();
        while (seen.Count < workers && Stopwatch.GetElapsedTime(start) < s_warmUpBound)
        {
            seen.UnionWith(executor.Map(mode.WorkerIdentity, Enumerable.Range(0, 2 * workers).ToArray(), chunkSize: 1));
        }
    }
}
