using System.Diagnostics;
using Concur.Lessons;

namespace Concur.Cli.Bench;

/// <summary>
/// Times Concur's rows one run at a time, so a caller can interleave them with CPython's: sequential (each call
/// timed as well), and each <see cref="BenchMode"/> cold (the executor created and shut down inside the timing, as
/// the lesson's <c>with ProcessPoolExecutor() as pool:</c>) or warm (one executor per mode and worker count, started
/// on its first use and warmed until every worker has run a task, kept until <see cref="Dispose"/>).
/// </summary>
internal sealed class ConcurRows : IDisposable
{
    /// <summary>How long warming a pool may take before its warm runs start anyway.</summary>
    private static readonly TimeSpan s_warmUpBound = TimeSpan.FromSeconds(60);

    private readonly PrimesWorkload _workload;
    private readonly IReadOnlyList<BenchMode> _modes;
    private readonly Dictionary<(string Mode, int Workers), IExecutor> _warm = [];
    private readonly List<double>[] _taskSamples;

    /// <summary>Initializes the runner and lets the JIT compile the paths that will be timed.</summary>
    /// <param name="workload">The numbers to check.</param>
    /// <param name="modes">The parallel modes.</param>
    public ConcurRows(PrimesWorkload workload, IReadOnlyList<BenchMode> modes)
    {
        _workload = workload;
        _modes = modes;
        _taskSamples = [.. workload.Numbers.Select(_ => new List<double>())];
        WarmUpJit();
    }

    /// <summary>Gets each task's median time over the sequential runs so far, in seconds, in list order.</summary>
    public IReadOnlyList<double> TaskSeconds => [.. _taskSamples.Select(s => s.Count == 0 ? 0 : Samples.Median(s))];

    /// <summary>Runs <paramref name="key"/>'s configuration once and returns its wall time in seconds.</summary>
    /// <param name="key">The configuration.</param>
    /// <exception cref="InvalidOperationException">The run computed a wrong answer.</exception>
    public double Sample(RowKey key)
    {
        if (key.Mode == BenchMode.Sequential)
        {
            return TimeSequential();
        }
        var mode = _modes.Single(m => m.Name == key.Mode);
        return key.Start == Starts.Cold ? TimeCold(mode, key) : TimeWarm(mode, key);
    }

    /// <summary>Shuts down the warm executors.</summary>
    public void Dispose()
    {
        foreach (var executor in _warm.Values)
        {
            executor.Dispose();
        }
        _warm.Clear();
    }

    // Lets the JIT compile the hot loop and the executors' code paths before anything is timed, so the first
    // configuration measured (sequential, the baseline) is not penalized.
    private void WarmUpJit()
    {
        _ = LessonPrimes.Numbers.Select(LessonPrimes.IsPrime).ToArray();
        foreach (var mode in _modes)
        {
            using var executor = mode.CreateExecutor(1);
            _ = executor.Map(LessonPrimes.IsPrime, [1_000_003L, 1_000_033L]).ToArray();
        }
    }

    private double TimeSequential()
    {
        var numbers = _workload.Numbers;
        var results = new bool[numbers.Count];
        var taskSeconds = new double[numbers.Count];
        // The lesson's plain loop; each call is timed too (the per-task times give the best-schedule bound).
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < numbers.Count; i++)
        {
            var taskStart = Stopwatch.GetTimestamp();
            results[i] = LessonPrimes.IsPrime(numbers[i]);
            taskSeconds[i] = Stopwatch.GetElapsedTime(taskStart).TotalSeconds;
        }
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        _workload.Verify(results, BenchMode.Sequential);
        for (var i = 0; i < taskSeconds.Length; i++)
        {
            _taskSamples[i].Add(taskSeconds[i]);
        }
        return seconds;
    }

    private double TimeCold(BenchMode mode, RowKey key)
    {
        var start = Stopwatch.GetTimestamp();
        bool[] results;
        using (var executor = mode.CreateExecutor(key.Workers))
        {
            results = executor.Map(LessonPrimes.IsPrime, _workload.Numbers).ToArray();
        }
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        _workload.Verify(results, key.Description);
        return seconds;
    }

    private double TimeWarm(BenchMode mode, RowKey key)
    {
        if (!_warm.TryGetValue((mode.Name, key.Workers), out var executor))
        {
            executor = mode.CreateExecutor(key.Workers);
            _warm[(mode.Name, key.Workers)] = executor;
            WarmUp(executor, mode, key.Workers);
        }
        var start = Stopwatch.GetTimestamp();
        var results = executor.Map(LessonPrimes.IsPrime, _workload.Numbers).ToArray();
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        _workload.Verify(results, key.Description);
        return seconds;
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
