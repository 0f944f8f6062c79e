using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Concur;
using Concur.Cluster.Internal;
using Concur.Lessons;

// The cluster's figures for benchmarks/compare-cluster.sh: on an embedded cluster of 2 node processes on this machine
// (1 worker each), beside a process pool of 2 workers and raw Orleans grain calls to the same nodes, one JSON object
// per figure (median of the repeats).
int repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
const int Workers = 2;
const int Concurrent = 5_000;

await using ClusterConnection connection = await ClusterClients.ConnectAsync(new ClusterExecutorOptions { LocalNodes = 2, WorkersPerLocalNode = 1 });
using var cluster = new ClusterExecutor(connection.Client, maxWorkers: Workers);
using var pool = new ProcessPoolExecutor(maxWorkers: Workers);
await WarmUp(cluster);
await WarmUp(pool);
Bounded(() => cluster.NodeNames.Count == 2);

Emit("cluster", "round_trip_median_us", await RoundTrip(cluster, 500), "us");
Emit("process pool", "round_trip_median_us", await RoundTrip(pool, 500), "us");
Emit("raw grain call", "round_trip_median_us", await GrainRoundTrip(connection.Client, 500), "us");
Emit("cluster", "concurrent_5k_tasks_per_s", await Median(() => Concurrently(cluster, Concurrent)), "tasks/s");
Emit("process pool", "concurrent_5k_tasks_per_s", await Median(() => Concurrently(pool, Concurrent)), "tasks/s");
Emit("raw grain call", "concurrent_5k_tasks_per_s", await Median(() => GrainsConcurrently(connection.Client, Concurrent)), "calls/s");
// Interleaved, so load from other programs weighs on both alike.
var clusterPrimes = new List<double>();
var poolPrimes = new List<double>();
for (int i = 0; i < Math.Max(repeats, 5); i++)
{
    clusterPrimes.Add(Primes(cluster));
    poolPrimes.Add(Primes(pool));
}
if (Environment.GetEnvironmentVariable("CONCUR_BENCH_VERBOSE") == "1")
{
    Console.Error.WriteLine($"primes cluster: {string.Join(", ", clusterPrimes.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))}");
    Console.Error.WriteLine($"primes pool:    {string.Join(", ", poolPrimes.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))}");
}
clusterPrimes.Sort();
poolPrimes.Sort();
Emit("cluster", "primes_map_ms", clusterPrimes[clusterPrimes.Count / 2], "ms");
Emit("process pool", "primes_map_ms", poolPrimes[poolPrimes.Count / 2], "ms");
await cluster.ShutdownAsync();

void Emit(string impl, string name, double value, string unit) =>
    Console.WriteLine(JsonSerializer.Serialize(new { impl, name, value = Math.Round(value, 1), unit }));

async Task<double> Median(Func<Task<double>> measure)
{
    var values = new List<double>();
    for (int i = 0; i < repeats; i++)
    {
        values.Add(await measure());
    }
    values.Sort();
    return values[values.Count / 2];
}

static void Bounded(Func<bool> condition)
{
    var clock = Stopwatch.StartNew();
    while (!condition())
    {
        if (clock.Elapsed > TimeSpan.FromSeconds(60))
        {
            throw new TimeoutException("the cluster did not come up within 60 s");
        }
        Thread.Sleep(50);
    }
}

static async Task WarmUp(IExecutor executor)
{
    for (int i = 0; i < 200; i++)
    {
        await executor.Submit(Work.Identity, i);
    }
    await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => executor.Submit(Work.Identity, i)));
}

static async Task<double> RoundTrip(IExecutor executor, int count)
{
    var times = new double[count];
    for (int i = 0; i < count; i++)
    {
        long start = Stopwatch.GetTimestamp();
        await executor.Submit(Work.Identity, i);
        times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
    Array.Sort(times);
    return times[count / 2];
}

static async Task<double> Concurrently(IExecutor executor, int count)
{
    long start = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, count).Select(i => executor.Submit(Work.Identity, i)));
    return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
}

static async Task<double> GrainRoundTrip(IClusterClient client, int count)
{
    INodeGrain[] nodes = await NodeGrains(client);
    var session = Guid.NewGuid();
    var times = new double[count];
    for (int i = 0; i < count; i++)
    {
        long start = Stopwatch.GetTimestamp();
        await nodes[i % nodes.Length].Ping(session);
        times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
    Array.Sort(times);
    return times[count / 2];
}

static async Task<double> GrainsConcurrently(IClusterClient client, int count)
{
    INodeGrain[] nodes = await NodeGrains(client);
    var session = Guid.NewGuid();
    long start = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, count).Select(i => nodes[i % nodes.Length].Ping(session)));
    return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
}

static async Task<INodeGrain[]> NodeGrains(IClusterClient client)
{
    var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
    return [.. hosts.Keys.Select(s => client.GetGrain<INodeGrain>(s.ToParsableString()))];
}

static double Primes(IExecutor executor)
{
    long start = Stopwatch.GetTimestamp();
    bool[] results = executor.Map(LessonPrimes.IsPrime, LessonPrimes.Numbers, chunkSize: 1).ToArray();
    double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    if (results.Length != LessonPrimes.Numbers.Count)
    {
        throw new InvalidOperationException("primes: wrong number of results");
    }
    return ms;
}

/// <summary>The benchmark's work: static, so node workers run it.</summary>
internal static class Work
{
    /// <summary>Returns its argument: a trivial task.</summary>
    public static int Identity(int x) => x;
}
