namespace Concur.Cli.Bench;

/// <summary>
/// One way of running the benchmark: its name in the report and JSON (<c>"threads"</c>, <c>"processes"</c>) and
/// how to create an executor with a given number of workers.
/// </summary>
/// <param name="Name">The mode's name, as printed and as the JSON <c>mode</c> field.</param>
/// <param name="CreateExecutor">Creates an executor with the given number of workers.</param>
internal sealed record BenchMode(string Name, Func<int, IExecutor> CreateExecutor)
{
    /// <summary>The name of the baseline that runs on the calling thread, without an executor.</summary>
    public const string Sequential = "sequential";

    /// <summary>
    /// The parallel modes, each run with every worker count; adding one is one line here. Each timing includes
    /// creating and shutting down the executor, as the lesson's <c>with ProcessPoolExecutor() as pool:</c> does.
    /// </summary>
    public static IReadOnlyList<BenchMode> All { get; } =
    [
        new("threads", n => new ThreadPoolExecutor(n)),
        new("processes", n => new ProcessPoolExecutor(n)),
    ];
}
