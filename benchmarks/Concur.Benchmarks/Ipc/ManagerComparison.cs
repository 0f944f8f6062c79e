using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Concur.Benchmarks.Ipc;

/// <summary>
/// Measures <see cref="ProcessManager"/>'s dictionary exactly as benchmarks/python/manager.py measures CPython's
/// <c>Manager().dict()</c>, and prints one JSON object per figure (median, minimum and maximum of several runs), so
/// benchmarks/compare-manager.sh can put both side by side.
/// Run: <c>dotnet run -c Release --project benchmarks/Concur.Benchmarks -- manager [repeats]</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Single client: the owner alternates <c>d["k"] = i</c> and <c>x = d["k"]</c>; operations per second (each
/// get or set is one round trip).</item>
/// <item>Four clients: four child processes, each given the proxy (captured; Python: as a <c>Process</c> argument),
/// start together on an event and alternate set and get on their own key; total operations per second over the span
/// from the first start to the last end.</item>
/// <item>Batches: <c>Update</c> of 1,000 entries per call, and <c>GetMany</c> of 1,000 keys per call; entries per
/// second. CPython: <c>d.update(batch)</c>, and its usual reading loop, one <c>d[k]</c> per key (it has no batch
/// get).</item>
/// </list>
/// </remarks>
public static class ManagerComparison
{
    private const int SingleOps = 100_000;
    private const int ClientOps = 20_000;
    private const int Clients = 4;
    private const int Batch = 1_000;
    private const int Batches = 50;

    public static void Run(string[] args)
    {
        int repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        using var manager = ProcessManager.Start();
        var dict = manager.Dict<string, int>();
        Emit("dict_get_set_1_client", Runs(repeats, () => SingleOnce(dict)), "ops/s");
        Emit($"dict_get_set_{Clients}_clients", Runs(repeats, () => ClientsOnce(dict)), "ops/s");
        var batch = Enumerable.Range(0, Batch).Select(i => KeyValuePair.Create($"key{i}", i)).ToArray();
        string[] keys = batch.Select(p => p.Key).ToArray();
        Emit("dict_update_batches_of_1000", Runs(repeats, () => Timed(Batches * Batch, () =>
        {
            for (int i = 0; i < Batches; i++)
            {
                dict.Update(batch);
            }
        })), "entries/s");
        Emit("dict_get_many_batches_of_1000", Runs(repeats, () => Timed(Batches * Batch, () =>
        {
            for (int i = 0; i < Batches; i++)
            {
                Check(dict.GetMany(keys).Count == Batch);
            }
        })), "entries/s");
    }

    private static double SingleOnce(ManagerDict<string, int> dict) => Timed(SingleOps, () =>
    {
        for (int i = 0; i < SingleOps / 2; i++)
        {
            dict["k"] = i;
            Check(dict["k"] == i);
        }
    });

    private static double ClientsOnce(ManagerDict<string, int> dict)
    {
        using var go = new ProcessEvent();
        using var spans = new ProcessQueue<long[]>();
        var children = new List<ChildProcess>();
        for (int c = 0; c < Clients; c++)
        {
            string key = $"client{c}";
            var child = new ChildProcess(() =>
            {
                dict[key] = 0; // connect before the start
                go.Wait(TimeSpan.FromSeconds(60));
                long start = DateTime.UtcNow.Ticks;
                for (int i = 0; i < ClientOps / 2; i++)
                {
                    dict[key] = i;
                    Check(dict[key] == i);
                }
                spans.Put([start, DateTime.UtcNow.Ticks]);
            });
            child.Start();
            children.Add(child);
        }
        // Let every child connect first: each has set its key once.
        var ready = Stopwatch.StartNew();
        while (Enumerable.Range(0, Clients).Any(c => !dict.ContainsKey($"client{c}")) && ready.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(10);
        }
        go.Set();
        long first = long.MaxValue, last = 0;
        for (int c = 0; c < Clients; c++)
        {
            long[] span = spans.Get(TimeSpan.FromSeconds(120));
            first = Math.Min(first, span[0]);
            last = Math.Max(last, span[1]);
        }
        foreach (var child in children)
        {
            child.Join(TimeSpan.FromSeconds(30));
        }
        for (int c = 0; c < Clients; c++)
        {
            dict.Remove($"client{c}");
        }
        return Clients * (double)ClientOps / TimeSpan.FromTicks(last - first).TotalSeconds;
    }

    private static double Timed(int operations, Action body)
    {
        var watch = Stopwatch.StartNew();
        body();
        return operations / watch.Elapsed.TotalSeconds;
    }

    private static List<double> Runs(int repeats, Func<double> once)
    {
        once(); // warm up
        var values = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            values.Add(once());
        }
        return values;
    }

    private static void Emit(string name, List<double> values, string unit)
    {
        values.Sort();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            impl = "concur",
            name,
            value = Math.Round(values[values.Count / 2]),
            min = Math.Round(values[0]),
            max = Math.Round(values[^1]),
            unit,
        }));
    }

    private static void Check(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The manager answered another value than was set.");
        }
    }
}
