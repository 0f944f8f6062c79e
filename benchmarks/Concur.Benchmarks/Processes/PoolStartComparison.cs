using System.Diagnostics;
using System.Globalization;

namespace Concur.Benchmarks.Processes;

/// <summary>
/// Issue 12 point 2: <c>new ProcessPoolExecutor(2)</c> to the first result, and the CPU time the busier worker had
/// used by then (from /proc, 10 ms ticks), one line per pool. benchmarks/compare-pool-start.sh runs it beside
/// CPython's spawn, forkserver and fork (benchmarks/python/pool_start.py), alternating, and prints the medians.
/// Run: <c>Concur.Benchmarks.dll pool-start [pools] [label]</c>.
/// </summary>
public static class PoolStartComparison
{
    /// <summary>Creates <c>pools</c> pools one after the other (the first is not reported: it pays the parent's own JIT).</summary>
    public static void Run(string[] args)
    {
        int pools = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        string label = args.Length > 2 ? args[2] : "Concur";
        for (int i = 0; i <= pools; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var pool = new ProcessPoolExecutor(maxWorkers: 2);
            pool.Submit(ProcessWork.Identity, 1).GetAwaiter().GetResult();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            double cpu = pool.WorkerProcessIds.Max(StartupExperiment.CpuMilliseconds);
            if (i > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"impl\": \"{label}\", \"ms\": {ms:F2}, \"workerCpuMs\": {cpu:F0}}}"));
            }
        }
    }
}
