using System.Diagnostics;
using System.Globalization;

namespace Concur.Benchmarks.Processes;

/// <summary>
/// Where a warm round trip's time goes: CPU time per task in the parent and in the workers (from /proc, 10 ms ticks
/// over many tasks), voluntary context switches per task (each is a thread going to sleep: a wake-up later), beside
/// the wall time, for sequential submits and for 20,000 submitted at once; and the raw pipe's figures beside them.
/// Run: <c>Concur.Benchmarks.dll round-trip-profile [tasks]</c> (under <c>taskset -c 0</c> for the pinned case), or
/// <c>round-trip-profile [tasks] submit-all [times]</c> for only the submit-all case, repeated (to run perf on).
/// </summary>
public static class RoundTripProfile
{
    public static void Run(string[] args)
    {
        int tasks = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50_000;
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        _ = pool.Map(ProcessWork.Identity, Enumerable.Range(0, 100_000)).Count();
        for (int i = 0; i < 5_000; i++)
        {
            pool.Submit(ProcessWork.Identity, i).GetAwaiter().GetResult();
        }
        if (args.Length > 2 && args[2] == "submit-all")
        {
            // Only the submit-all case, many times (for perf record): round-trip-profile 20000 submit-all [times].
            int times = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
            Measure($"submit all, then wait (x{times})", pool, tasks * times, () =>
            {
                double submitting = 0;
                long allocated = 0;
                for (int t = 0; t < times; t++)
                {
                    var all = new Task<int>[tasks];
                    long begin = Stopwatch.GetTimestamp();
                    long bytes = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < tasks; i++)
                    {
                        all[i] = pool.Submit(ProcessWork.Identity, i);
                    }
                    allocated += GC.GetAllocatedBytesForCurrentThread() - bytes;
                    submitting += Stopwatch.GetElapsedTime(begin).TotalMicroseconds;
                    Task.WaitAll(all);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  the submit loops alone: {submitting / tasks / times:F3} us/task, {(double)allocated / tasks / times:F0} bytes/task allocated by the submitting thread"));
            });
            return;
        }
        Measure("sequential submit -> result", pool, tasks, () =>
        {
            for (int i = 0; i < tasks; i++)
            {
                pool.Submit(ProcessWork.Identity, i).GetAwaiter().GetResult();
            }
        });
        Measure("submit all, then wait", pool, tasks, () =>
        {
            var all = new Task<int>[tasks];
            for (int i = 0; i < tasks; i++)
            {
                all[i] = pool.Submit(ProcessWork.Identity, i);
            }
            Task.WaitAll(all);
        });
        int[] items = Enumerable.Range(0, 1_000_000).ToArray();
        int maps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        Measure("Map of 1,000,000 ints (per item)", pool, items.Length * maps, () =>
        {
            for (int i = 0; i < maps; i++)
            {
                long sum = 0;
                foreach (int r in pool.Map(ProcessWork.Identity, items))
                {
                    sum += r;
                }
                GC.KeepAlive(sum);
            }
        });
        long start = Stopwatch.GetTimestamp();
        double parentCpu = CpuMs(Environment.ProcessId);
        double[] raw = RawPipe.RoundTrips(tasks);
        double wall = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"raw pipe: median {raw[raw.Length / 2]:F1} us, parent CPU {(CpuMs(Environment.ProcessId) - parentCpu) * 1000 / (tasks + 2000):F1} us/round trip (child start included), wall {wall / (tasks + 2000):F1} us"));
    }

    private static void Measure(string what, ProcessPoolExecutor pool, int tasks, Action run)
    {
        int parent = Environment.ProcessId;
        double parentCpu = CpuMs(parent);
        double workersCpu = pool.WorkerProcessIds.Sum(CpuMs);
        long switches = VoluntarySwitches(parent);
        long workerSwitches = pool.WorkerProcessIds.Sum(VoluntarySwitches);
        long start = Stopwatch.GetTimestamp();
        run();
        double wall = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: wall {wall / tasks:F3} us/task, parent CPU {(CpuMs(parent) - parentCpu) * 1000 / tasks:F3} us/task, " +
            $"workers CPU {(pool.WorkerProcessIds.Sum(CpuMs) - workersCpu) * 1000 / tasks:F3} us/task, " +
            $"parent sleeps {(VoluntarySwitches(parent) - switches) / (double)tasks:F2}/task, " +
            $"worker sleeps {(pool.WorkerProcessIds.Sum(VoluntarySwitches) - workerSwitches) / (double)tasks:F2}/task"));
    }

    private static double CpuMs(int pid) => StartupExperiment.CpuMilliseconds(pid);

    /// <summary>Voluntary context switches of every thread of <paramref name="pid"/>.</summary>
    private static long VoluntarySwitches(int pid)
    {
        long total = 0;
        foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            try
            {
                foreach (string line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended.
            }
        }
        return total;
    }
}
