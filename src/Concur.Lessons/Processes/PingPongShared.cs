namespace Concur.Lessons;

/// <summary>
/// pingpang1.py fixed: the two processes share one counter through shared memory (Python's
/// <c>multiprocessing.RawValue('i', 0)</c>), guarded by a <see cref="ProcessLock"/> (<c>multiprocessing.Lock()</c>), so Ping
/// and Pong are printed 5 times in all.
/// </summary>
public static class PingPongShared
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "pingpong-shared",
        "pingpang1.py with shared memory and a lock",
        "The counter of pingpong1 in shared memory (SharedValue<int>) guarded by a ProcessLock: 5 words in all, and the parent sees 5.",
        Run,
        usesChildProcesses: true);

    /// <summary>Runs in a child process: prints <paramref name="text"/> while the shared counter is below 5.</summary>
    /// <param name="counter">The parent's counter, the same memory in every process.</param>
    /// <param name="guard">The lock that makes the check and the increment one step for both processes.</param>
    /// <param name="text">"Ping" or "Pong".</param>
    public static void SubTask(SharedValue<int> counter, ProcessLock guard, string text)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(guard);
        while (true)
        {
            // with lock: the check and the increment are one step for both processes.
            using (guard.Acquire())
            {
                if (counter.Value >= 5)
                {
                    return;
                }
                Console.Write(text);
                Console.Out.Flush();
                counter.Value++;
            }
            Thread.Sleep(TimeSpan.FromMilliseconds(10));
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // What changes pingpong1: the counter is a SharedValue<int>, a ProcessLock guards it, and the children are
        // given both.
        using var counter = new SharedValue<int>(0, withLock: false);
        using var guard = new ProcessLock();
        var p1 = new ChildProcess(() => SubTask(counter, guard, "Ping"));
        var p2 = new ChildProcess(() => SubTask(counter, guard, "Pong"));
        p1.Start();
        p2.Start();
        p1.Join();
        p2.Join();
        Console.Out.Flush();
        output.WriteLine();
        output.WriteLine($"counter in the parent process: {counter.Read()} (one counter, shared by the three processes)");
    }
}
