using System.Diagnostics;

namespace Concur.Lessons;

/// <summary>pool.py: <c>Pool(5)</c>, eight <c>apply_async</c> calls, <c>close()</c>, <c>join()</c>.</summary>
public static class Pool
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "pool",
        "pool.py",
        "A pool of 5 processes runs 8 tasks; apply_async returns at once; close() then join() waits for all of them.",
        Run,
        usesChildProcesses: true);

    /// <summary>Runs in a pool process: prints its pid, sleeps a random time, prints how long it ran.</summary>
    /// <param name="num">The task's number.</param>
    /// <returns>The task's number (ApplyAsync takes a function with a result; the lesson's fun returns None).</returns>
    public static int Fun(int num)
    {
        Console.WriteLine($"child process {num} Running ({ChildProcess.CurrentProcessId})");
        var watch = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * 200)); // random.random() * 3 s in the lesson
        Console.WriteLine($"child process {num} runs {watch.Elapsed.TotalSeconds:0.00} seconds.");
        return num;
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"Parent process {ChildProcess.CurrentProcessId}.");
        output.Flush();
        // 创建多个进程，可以同时执行的进程数量. As in Python, disposing a pool (the end of `using`) terminates it;
        // Close() + Join() is what lets the work finish.
        using var p = new ProcessPool(5);
        for (var i = 0; i < 8; i++)
        {
            p.ApplyAsync(Fun, i); // 异步非阻塞: returns a Task<int> at once
            // p.Apply(Fun, i);     // 阻塞方式: waits for the result
        }
        output.WriteLine("Waiting for All child process finished...");
        output.Flush();
        p.Close(); // no new tasks; the pool ends when the queued ones are done
        p.Join();  // 等待进程池中所有的子进程结束 (Close must come first)
        output.WriteLine("All child process finished.");
    }
}
