namespace Concur.Lessons;

/// <summary>ThreadPoolExp3.py: <c>pool.map(fun, (5, 10))</c> on a pool of two threads.</summary>
public static class ThreadPoolExp3
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "thread-pool-map",
        "ThreadPoolExp3.py",
        "map() runs the function on the pool and yields the results in input order.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // The lesson never shuts this pool down; `using` does (its threads are background threads either way).
        using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        // Results come in input order: fun(5) first, then fun(10). fun(10) prints 45, or 55 when it ran on the
        // thread that had already run fun(5) (the thread-local sum carries over from one task to the next).
        foreach (var i in pool.Map(n => PoolLocalSum.Fun(output, n), [5, 10], cancellationToken: cancellationToken))
        {
            output.WriteLine(i);
        }
    }
}
