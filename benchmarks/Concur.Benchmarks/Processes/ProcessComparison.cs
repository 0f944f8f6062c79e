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

    public static void Run(string[] args)
    {
        int repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        Emit("pool_create_to_first_result_ms", Median(repeats, CreateToFirstResult), "ms");
        using var pool = new ProcessPoolExecutor(maxWorkers: Workers);
        pool.Submit(ProcessWork.Identity, 0).GetAwaiter().GetResult();
        _ = pool.Map(ProcessWork.Identity, Enumerable.Range(0, 100_000)).Count(); // warm up both workers and the JIT

        (double median, double p99) = RoundTrip(pool, 20_000);
        Emit("round_trip_median_us", median, "us");
        Emit("round_trip_p99_us", p99, "us");
        Emit("submit_20k_tasks_per_s", Median(repeats, () => Submits(pool, 20_000)), "tasks/s");
        Emit("map_1m_items_per_s", Median(repeats, () => MapItems(pool, 1_000_000, 0)), "items/s");
        Emit("map_20k_chunk1_items_per_s", Median(repeats, () => MapItems(pool, 20_000, 1)), "items/s");
        Primes(pool, repeats);
    }

    private static void Emit(string name, double value, string unit) =>
        Console.WriteLine(JsonSerializer.Serialize(new { impl = "concur", name, value = Math.Round(value, 2), unit }));

    private static double Median(int repeats, Func<double> measure)
    {
        var values = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            values.Add(measure());
        }
        values.Sort();
        return values[values.Count / 2];
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

    private static (double Median, double P99) RoundTrip(ProcessPoolExecutor pool, int count)
    {
        var samples = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            pool.Submit(ProcessWork.Identity, i).GetAwaiter().GetResult();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(samples);
        return (samples[count / 2], samples[(int)(count * 0.99)]);
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
        double pooled = Median(repeats, () =>
        {
            var w = Stopwatch.StartNew();
            _ = pool.Map(LessonPrimes.IsPrime, ProcessWork.Primes, chunkSize: 1).ToArray();
            return w.Elapsed.TotalSeconds;
        });
        Emit("primes_sequential_ms", sequential * 1000, "ms");
        Emit("primes_largest_single_task_ms", largest * 1000, "ms");
        Emit("primes_ideal_in_order_schedule_ms", schedule * 1000, "ms");
        Emit("primes_process_pool_ms", pooled * 1000, "ms");
    }
}
