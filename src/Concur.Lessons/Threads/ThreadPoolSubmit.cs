namespace Concur.Lessons;

/// <summary>The lesson's first ThreadPoolExecutor program: <c>submit()</c> two tasks, sleep, ask <c>done()</c>, <c>shutdown()</c>.</summary>
public static class ThreadPoolSubmit
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "thread-pool-submit",
        "(cell) #ThreadPool: pool.submit(fun, 5), task.done(), pool.shutdown()",
        "submit() returns a future at once; done() tells whether it has finished; shutdown() waits for the pool's work.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        var pool = new ThreadPoolExecutor(maxWorkers: 2);
        try
        {
            // A Python Future is a Task<T> in .NET; done() is IsCompleted.
            var task1 = pool.Submit(n => PoolLocalSum.Fun(output, n), 5, cancellationToken); // 提交一个任务
            var task2 = pool.Submit(n => PoolLocalSum.Fun(output, n), 10, cancellationToken);
            Thread.Sleep(TimeSpan.FromMilliseconds(100)); // 1 s in the lesson; by then both are usually done
            output.WriteLine($"task1: {task1.IsCompleted}");
            output.WriteLine($"task2: {task2.IsCompleted}");
        }
        finally
        {
            pool.Shutdown(); // waits for running and queued work, like Python's shutdown(wait=True)
        }
    }
}
