namespace Concur.Cli.Bench;

/// <summary>One configuration of a runtime's rows: a mode, a worker count, cold or warm.</summary>
/// <param name="Mode"><see cref="BenchMode.Sequential"/>, <c>"threads"</c> or <c>"processes"</c>.</param>
/// <param name="Workers">The number of workers (1 for sequential).</param>
/// <param name="Start"><see cref="Starts.Cold"/>, <see cref="Starts.Warm"/>, or <see cref="Starts.None"/> for sequential.</param>
internal sealed record RowKey(string Mode, int Workers, string Start)
{
    /// <summary>Gets the sequential row's key.</summary>
    public static RowKey Sequential { get; } = new(BenchMode.Sequential, 1, Starts.None);

    /// <summary>The rows of one runtime in report order: sequential, then per worker count each mode cold and warm.</summary>
    /// <param name="workerCounts">The worker counts.</param>
    /// <param name="modes">The parallel modes' names.</param>
    public static IReadOnlyList<RowKey> All(IReadOnlyList<int> workerCounts, IReadOnlyList<string> modes)
    {
        var keys = new List<RowKey> { Sequential };
        foreach (var workers in workerCounts)
        {
            foreach (var mode in modes)
            {
                keys.Add(new RowKey(mode, workers, Starts.Cold));
                keys.Add(new RowKey(mode, workers, Starts.Warm));
            }
        }
        return keys;
    }

    /// <summary>Gets the key's description in progress lines: "threads x 2 (warm)".</summary>
    public string Description => Mode == BenchMode.Sequential ? Mode : $"{Mode} x {Workers} ({Start})";
}
