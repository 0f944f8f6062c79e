namespace Concur.Lessons;

/// <summary>The lesson's <c>with ThreadPoolExecutor(max_workers=2) as pool:</c> program.</summary>
public static class ThreadPoolWith
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "thread-pool-with",
        "(cell) with ThreadPoolExecutor(max_workers=2) as pool:",
        "Leaving the with block (using in C#) shuts the pool down and waits, so both tasks are done afterwards.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        Task<int> task1;
        Task<int> task2;
        using (var pool = new ThreadPoolExecutor(maxWorkers: 2)) // 创建包含两个线程的线程池
        {
            task1 = pool.Submit(n => PoolLocalSum.Fun(output, n), 5, cancellationToken);
            task2 = pool.Submit(n => PoolLocalSum.Fun(output, n), 10, cancellationToken);
        } // Dispose = shutdown(wait=True)
        output.WriteLine($"task1: {task1.IsCompleted}");
        output.WriteLine($"task2: {task2.IsCompleted}");
    }
}
