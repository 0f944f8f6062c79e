using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Concur.Benchmarks.Processes;

/// <summary>
/// A 100 MiB <c>double[]</c> sent to a worker and back (warm pool of 1 worker): the transport's throughput for large
/// payloads. <see cref="PeakMemory"/> measures the peak resident memory of each side for the same round trip.
/// </summary>
[MemoryDiagnoser]
public class LargePayloadBenchmarks
{
    /// <summary>The payload size.</summary>
    public const int PayloadBytes = 100 << 20;

    private ProcessPoolExecutor _pool = null!;
    private double[] _payload = null!;

    /// <summary>The worker function: returns what it got.</summary>
    public static double[] Echo(double[] values) => values;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new ProcessPoolExecutor(maxWorkers: 1);
        _payload = Enumerable.Range(0, PayloadBytes / sizeof(double)).Select(i => i * 0.5).ToArray();
        _pool.Submit(Echo, _payload[..1]).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    /// <summary>One round trip of 100 MiB each way.</summary>
    [Benchmark]
    public int RoundTrip100MiB() => _pool.Submit(Echo, _payload).GetAwaiter().GetResult().Length;

    /// <summary>
    /// <c>Concur.Benchmarks processes-large [n]</c>: n round trips of the 100 MiB array; prints the median MB/s
    /// (payload bytes each way / round-trip time) and each side's peak resident memory (VmHWM) above its resident
    /// memory before the first large call, as a multiple of the payload.
    /// </summary>
    public static void PeakMemory(string[] args)
    {
        int runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var bench = new LargePayloadBenchmarks();
        bench.Setup();
        int worker = bench._pool.WorkerProcessIds[0];
        long parentBase = Rss(Environment.ProcessId), workerBase = Rss(worker);
        ResetPeak(Environment.ProcessId);
        ResetPeak(worker);
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            int n = bench.RoundTrip100MiB();
            watch.Stop();
            if (n != bench._payload.Length)
            {
                throw new InvalidOperationException("Wrong length back.");
            }
            times.Add(watch.Elapsed.TotalSeconds);
        }
        long parentPeak = Peak(Environment.ProcessId), workerPeak = Peak(worker);
        times.Sort();
        double median = times[times.Count / 2];
        Console.WriteLine($"round trips: {runs}; times (s): {string.Join(", ", times.Select(t => t.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"median {PayloadBytes / median / 1e6:0} MB/s each way ({2.0 * PayloadBytes / median / 1e6:0} MB/s both ways)");
        Console.WriteLine($"parent: base RSS {parentBase >> 20} MiB (holds the 100 MiB input), peak {parentPeak >> 20} MiB, peak - base = {(parentPeak - parentBase) / (double)PayloadBytes:0.00}x payload");
        Console.WriteLine($"worker: base RSS {workerBase >> 20} MiB, peak {workerPeak >> 20} MiB, peak - base = {(workerPeak - workerBase) / (double)PayloadBytes:0.00}x payload");
        bench.Cleanup();
    }

    private static long Rss(int pid) => Status(pid, "VmRSS:");

    private static long Peak(int pid) => Status(pid, "VmHWM:");

    private static void ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5"); // Resets VmHWM to the current RSS.
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long Status(int pid, string field)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }
}
