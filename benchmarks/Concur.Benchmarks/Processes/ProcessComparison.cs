using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Concur.Lessons;

namespace Concur.Benchmarks.Processes;

/// <summary>
/// Measures the process pool exactly as benchmarks/python/process_pool.py measures CPython's, and prints one JSON
/// object per figure (median of several runs), so benchmarks/compare-processes.sh can put both side by side.
/// Run: <c>dotnet run -c Release --project benchmarks/Concur.Benchmarks -- processes</c>.
/// </summary>
public static class ProcessComparison
{
    private const int Workers = 2;

    /// <summary>
    /// <c>processes [repeats] [round-trips-pinned]</c>: with the third argument only the round trips (the raw pipe's
    /// and the pool's) are measured, named <c>..._pinned</c>; compare-processes.sh runs that pass under
    /// <c>taskset -c 0</c>, so the parent and every worker share one CPU.
    /// </summary>
    public static void Run(string[] args)
    {
        int repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        bool roundTripsOnly = args.Length > 2 && args[2] == "round-trips-pinned";
        if (args.Length > 2 && args[2] == "throughput")
        {
            // Only the throughput figures (A/B runs of the engine: benchmarks/ab-processes.sh).
            using var warm = new ProcessPoolExecutor(maxWorkers: Workers);
            _ = warm.Map(ProcessWork.Identity, Enumerable.Range(0, 100_000)).Count();
            Emit("submit_20k_tasks_per_s", Median(repeats, () => Submits(warm, 20_000)), "tasks/s");
            Emit("map_1m_items_per_s", Median(repeats, () => MapItems(warm, 1_000_000, 0)), "items/s");
            return;
        }
        string suffix = roundTripsOnly ? "_pinned" : "";
        if (!roundTripsOnly)
        {
            Emit("pool_create_to_first_result_ms", Median(repeats, CreateToFirstResult), "ms");
        }
        using var pool = new ProcessPoolExecutor(maxWorkers: Workers);
        pool.Submit(ProcessWork.Identity, 0).GetAwaiter().GetResult();
        _ = pool.Map(ProcessWork.Identity, Enumerable.Range(0, 100_000)).Count(); // warm up both workers and the JIT

        // Alternate the raw pipe and the pool, run by run, so load weighs on both alike.
        var raw = new List<double[]>();
        var pooled = new List<double[]>();
        for (int i = 0; i < repeats; i++)
        {
            raw.Add(RawPipe.RoundTrips(20_000));
            pooled.Add(RoundTrip(pool, 20_000));
        }
        EmitRoundTrips("raw_pipe_round_trip" + suffix, raw);
        EmitRoundTrips("round_trip" + suffix, pooled);
        if (roundTripsOnly)
        {
            return;
        }
        Emit("submit_20k_tasks_per_s", Median(repeats, () => Submits(pool, 20_000)), "tasks/s");
        Emit("map_1m_items_per_s", Median(repeats, () => MapItems(pool, 1_000_000, 0)), "items/s");
        Emit("map_20k_chunk1_items_per_s", Median(repeats, () => MapItems(pool, 20_000, 1)), "items/s");
        Primes(pool, repeats);
    }

    private static void Emit(string name, double value, string unit) =>
        Console.WriteLine(JsonSerializer.Serialize(new { impl = "concur", name, value = Math.Round(value, 2), unit }));

    /// <summary>Prints the median of <paramref name="values"/> with their minimum and maximum.</summary>
    private static void Emit(string name, List<double> values, string unit)
    {
        values.Sort();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            impl = "concur",
            name,
            value = Math.Round(values[values.Count / 2], 2),
            min = Math.Round(values[0], 2),
            max = Math.Round(values[^1], 2),
            unit,
        }));
    }

    private static List<double> Median(int repeats, Func<double> measure)
    {
        var values = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            values.Add(measure());
        }
        return values;
    }

    private static double CreateToFirstResult()
    {
        var watch = Stopwatch.StartNew();
        using var pool = new ProcessPoolExecutor(maxWorkers: Workers);
        pool.Submit(ProcessWork.Identity, 1).GetAwaiter().GetResult();
        double ms = watch.Elapsed.TotalMilliseconds;
        if (Environment.GetEnvironmentVariable("CONCUR_WORKER_TRACE") == "1")
        {
            Console.Error.WriteLine($"[parent] first result at {DateTime.UtcNow:ss.fff}: {ms:F1} ms");
        }
        return ms;
    }

    /// <summary>Sorted round-trip samples in microseconds of <paramref name="count"/> sequential submits.</summary>
    private static double[] RoundTrip(ProcessPoolExecutor pool, int count)
    {
        var samples = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            pool.Submit(ProcessWork.Identity, i).GetAwaiter().GetResult();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(samples);
        return samples;
    }

    /// <summary>Per run the median and p99; prints the median run's value with the runs' minimum and maximum.</summary>
    private static void EmitRoundTrips(string name, List<double[]> runs)
    {
        foreach ((string what, double quantile) in new[] { ("median", 0.5), ("p99", 0.99) })
        {
            List<double> values = [.. runs.Select(r => r[(int)(r.Length * quantile)]).Order()];
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                impl = "concur",
                name = $"{name}_{what}_us",
                value = Math.Round(values[values.Count / 2], 2),
                min = Math.Round(values[0], 2),
                max = Math.Round(values[^1], 2),
                unit = "us",
            }));
        }
    }

    private static double Submits(ProcessPoolExecutor pool, int count)
    {
        var tasks = new Task<int>[count];
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            tasks[i] = pool.Submit(ProcessWork.Identity, i);
        }
        Task.WaitAll(tasks);
        return count / watch.Elapsed.TotalSeconds;
    }

    private static double MapItems(ProcessPoolExecutor pool, int count, int chunkSize)
    {
        int[] items = Enumerable.Range(0, count).ToArray();
        var watch = Stopwatch.StartNew();
        long sum = 0;
        foreach (int r in pool.Map(ProcessWork.Identity, items, chunkSize: chunkSize))
        {
            sum += r;
        }
        GC.KeepAlive(sum);
        return count / watch.Elapsed.TotalSeconds;
    }

    private static void Primes(ProcessPoolExecutor pool, int repeats)
    {
        var single = new double[ProcessWork.Primes.Length];
        for (int i = 0; i < single.Length; i++)
        {
            var w = Stopwatch.StartNew();
            LessonPrimes.IsPrime(ProcessWork.Primes[i]);
            single[i] = w.Elapsed.TotalSeconds;
        }
        double sequential = single.Sum();
        double largest = single.Max();
        // In-order list scheduling on two workers (what map with chunk size 1 does): each number goes to the worker
        // that frees up first.
        var free = new double[Workers];
        foreach (double t in single)
        {
            int next = free[0] <= free[1] ? 0 : 1;
            free[next] += t;
        }
        double schedule = free.Max();
        List<double> pooled = Median(repeats, () =>
        {
            var w = Stopwatch.StartNew();
            _ = pool.Map(LessonPrimes.IsPrime, ProcessWork.Primes, chunkSize: 1).ToArray();
            return w.Elapsed.TotalMilliseconds;
        });
        Emit("primes_sequential_ms", sequential * 1000, "ms");
        Emit("primes_largest_single_task_ms", largest * 1000, "ms");
        Emit("primes_ideal_in_order_schedule_ms", schedule * 1000, "ms");
        Emit("primes_process_pool_ms", pooled, "ms");
    }
}
