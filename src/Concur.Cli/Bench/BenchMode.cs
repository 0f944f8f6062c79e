namespace Concur.Cli.Bench;

/// <summary>
/// One of Concur's parallel ways of running the benchmark: its name in the report and JSON (<c>"threads"</c>,
/// <c>"processes"</c>), how to create an executor with a given number of workers, and how a task tells which worker
/// ran it (to warm a pool until every worker has run a task).
/// </summary>
/// <param name="Name">The mode's name, as printed and as the JSON <c>mode</c> field.</param>
/// <param name="CreateExecutor">Creates an executor with the given number of workers.</param>
/// <param name="WorkerIdentity">A static function that pauses briefly and returns an identity of the worker that ran it.</param>
internal sealed record BenchMode(string Name, Func<int, IExecutor> CreateExecutor, Func<int, long> WorkerIdentity)
{
    /// <summary>The name of the baseline that runs on the calling thread, without an executor.</summary>
    public const string Sequential = "sequential";

    /// <summary>Gets the parallel modes, each run with every worker count, cold and warm; adding one is one line here.</summary>
    public static IReadOnlyList<BenchMode> All { get; } =
    [
        new("threads", n => new ThreadPoolExecutor(n), WarmUpTasks.ThreadIdentity),
        new("processes", n => new ProcessPoolExecutor(n), WarmUpTasks.ProcessIdentity),
    ];
}
