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
    /// <summary>
    /// Creates <c>pools</c> pools of two workers one after the other (the first is not reported: it pays the parent's
    /// own JIT); a fourth argument <c>one-worker</c> makes them one-worker pools (how much the second worker's start
    /// takes from the first on two cores), <c>floor</c> times the bare runtime instead.
    /// </summary>
    public static void Run(string[] args)
    {
        int pools = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        string label = args.Length > 2 ? args[2] : "Concur";
        if (args.Length > 3 && args[3] == "floor")
        {
            RuntimeFloor(pools, label);
            return;
        }
        int workers = args.Length > 3 && args[3] == "one-worker" ? 1 : 2;
        for (int i = 0; i <= pools; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var pool = new ProcessPoolExecutor(maxWorkers: workers);
            pool.Submit(ProcessWork.Identity, 1).GetAwaiter().GetResult();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            double cpu = pool.WorkerProcessIds.Max(StartupExperiment.CpuMilliseconds);
            if (i > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"impl\": \"{label}\", \"ms\": {ms:F2}, \"workerCpuMs\": {cpu:F0}}}"));
            }
        }
    }

    /// <summary>CPU time of this process's reaped children (cutime + cstime in /proc/self/stat, 10 ms ticks).</summary>
    private static double ReapedChildrenCpuMilliseconds()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) * 10.0;
    }

    /// <summary>
    /// The floor under any worker: <c>dotnet Concur.dll</c> with no arguments (the runtime starts, Concur.dll's
    /// entry point prints one line and returns), from <see cref="Process.Start(ProcessStartInfo)"/> to its exit, with
    /// the same muxer and options a worker gets. No Concur code runs but <c>Main</c>.
    /// </summary>
    private static void RuntimeFloor(int runs, string label)
    {
        string concur = typeof(ProcessPoolExecutor).Assembly.Location;
        string muxer = Environment.ProcessPath!;
        for (int i = 0; i <= runs; i++)
        {
            var info = new ProcessStartInfo(muxer) { RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(concur);
            info.Environment["DOTNET_EnableDiagnostics"] = "0";
            double childrenCpu = ReapedChildrenCpuMilliseconds();
            long start = Stopwatch.GetTimestamp();
            using var process = Process.Start(info)!;
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            double cpu = ReapedChildrenCpuMilliseconds() - childrenCpu;
            if (i > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"impl\": \"{label}\", \"ms\": {ms:F2}, \"workerCpuMs\": {cpu:F0}}}"));
            }
        }
    }
}
