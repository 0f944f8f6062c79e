using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Concur.Benchmarks.Ipc;

/// <summary>
/// Measures process queues exactly as benchmarks/python/queue_throughput.py measures CPython's
/// <c>multiprocessing.Queue</c>, and prints one JSON object per figure (median, minimum and maximum of several runs),
/// so benchmarks/compare-queues.sh can put both side by side.
/// Run: <c>dotnet run -c Release --project benchmarks/Concur.Benchmarks -- queues [repeats] [items] [1|4]</c> (the last picks one shape).
/// </summary>
/// <remarks>
/// <para>
/// One figure per shape: 1 producer process to 1 consumer process, and 4 to 4, each moving <c>items</c> small ints
/// (0, 1, 2, ...) through one unbounded <see cref="ProcessQueue{T}"/> of <c>int</c>, each producer putting an equal
/// share and each consumer taking an equal share. The children are started once and do every run: each run starts
/// when the parent puts one "go" per producer into a second queue and ends when every consumer has reported its
/// share (count and sum in one message, checked) through a third. Consumers wait for a go of their own, from a fourth
/// queue, so that one done with its share cannot take another's. Start-up is not measured; the go and done messages are.
/// </para>
/// <para>The children get the queues captured by their lambdas, as the lesson passes <c>q</c> (issue 9 point 4).</para>
/// </remarks>
public static class QueueComparison
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(300);
    private static readonly TimeSpan s_stall = TimeSpan.FromSeconds(20);

    public static void Run(string[] args)
    {
        int repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        int items = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;
        string only = args.Length > 3 ? args[3] : "";
        if (only is "" or "1")
        {
            Emit("queue_1_to_1_small_ints", Shape(1, items, repeats), "msgs/s");
        }
        if (only is "" or "4")
        {
            Emit("queue_4_to_4_small_ints", Shape(4, items, repeats), "msgs/s");
        }
    }

    private static List<double> Shape(int pairs, int items, int repeats)
    {
        int share = items / pairs;
        int rounds = repeats + 1; // one warm-up
        using var data = new ProcessQueue<int>();
        using var go = new ProcessQueue<int>();
        using var done = new ProcessQueue<long[]>();
        using var consumerGo = new ProcessQueue<int>();
        var children = new List<ChildProcess>();
        try
        {
            for (int i = 0; i < pairs; i++)
            {
                // The queues travel captured, as in the lesson (issue 9 point 4).
                children.Add(new ChildProcess(() => Producer(data, go, done, share, rounds)));
                children.Add(new ChildProcess(() => Consumer(data, consumerGo, done, share, rounds)));
            }
            foreach (ChildProcess child in children)
            {
                child.Start();
            }
            for (int i = 0; i < children.Count; i++)
            {
                done.Get(s_bound); // each child is attached and waiting
            }
            long expectedSum = (long)share * (share - 1) / 2 * pairs;
            var values = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < pairs; i++)
                {
                    consumerGo.Put(1);
                    go.Put(1);
                }
                long count = 0;
                long sum = 0;
                for (int i = 0; i < pairs; i++)
                {
                    long[] report = done.Get(s_bound);
                    count += report[0];
                    sum += report[1];
                }
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (count != (long)share * pairs || sum != expectedSum)
                {
                    throw new InvalidOperationException($"The consumers took {count:N0} items summing to {sum:N0}; expected {share * pairs:N0} summing to {expectedSum:N0}.");
                }
                if (round > 0)
                {
                    values.Add(share * pairs / seconds);
                }
            }
            return values;
        }
        finally
        {
            foreach (ChildProcess child in children)
            {
                if (!child.Join(TimeSpan.FromSeconds(30)) && child.IsAlive)
                {
                    child.Kill();
                }
            }
        }
    }

    /// <summary>A producer: per round, waits for a go, then puts its share of ints.</summary>
    private static void Producer(ProcessQueue<int> data, ProcessQueue<int> go, ProcessQueue<long[]> done, int share, int rounds)
    {
        done.Put([]);
        for (int round = 0; round < rounds; round++)
        {
            go.Get(s_bound);
            for (int i = 0; i < share; i++)
            {
                data.Put(i);
            }
        }
    }

    /// <summary>A consumer: per round, waits for a go, takes its share of ints and reports their count and sum.</summary>
    private static void Consumer(ProcessQueue<int> data, ProcessQueue<int> go, ProcessQueue<long[]> done, int share, int rounds)
    {
        done.Put([]);
        for (int round = 0; round < rounds; round++)
        {
            go.Get(s_bound); // without it, a consumer done with its share would take the next round's share of another
            long sum = 0;
            for (int i = 0; i < share; i++)
            {
                if (!data.TryGet(out int item, s_stall))
                {
                    throw new TimeoutException($"Consumer {Environment.ProcessId}, round {round}: took {i:N0} of {share:N0} items, then none came for {s_stall.TotalSeconds} s (queue count {data.Count}).");
                }
                sum += item;
            }
            done.Put([share, sum]);
        }
    }

    /// <summary>Prints the median, minimum and maximum of <paramref name="values"/>.</summary>
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
}
