namespace Concur.Lessons;

/// <summary>pingpangThreadJoin.py: the ping-pong program with threads instead of processes. The threads share one counter.</summary>
public static class PingPongThreadJoin
{
    // counter = 0 at module level: ONE variable, shared by every thread of the process.
    private static int s_counter;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "pingpong-threads",
        "pingpangThreadJoin.py",
        "Threads share the process's global counter: Ping and Pong together print about 5 words, not 5 each as processes do.",
        Run);

    private static void SubTask(TextWriter output, string text)
    {
        // while counter < 5: print; counter += 1. The check and the increment are two steps: both threads can see
        // counter == 4 and both print, which is why the lesson's own output shows 6 words (PingPongPingPongPongPing).
        // Interlocked.Increment is C#'s version of CPython's `counter += 1` under the GIL (no lost increments);
        // the check-then-act race remains, on purpose.
        while (Volatile.Read(ref s_counter) < 5)
        {
            output.Write(text);
            Interlocked.Increment(ref s_counter);
            Thread.Sleep(TimeSpan.FromMilliseconds(1));
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        Volatile.Write(ref s_counter, 0); // a fresh "module" for every run of the lesson
        var p1 = new Thread(() => SubTask(output, "Ping")) { Name = "Ping" };
        var p2 = new Thread(() => SubTask(output, "Pong")) { Name = "Pong" };
        p1.Start();
        // p1.Join();   (commented out in the lesson: with it, Ping would print all 5 and Pong none)
        p2.Start();
        // Python's interpreter waits for non-daemon threads before it exits; here the lesson joins them explicitly
        // so that it ends only when both have finished.
        p1.Join();
        p2.Join();
        output.WriteLine();
        output.WriteLine($"counter = {Volatile.Read(ref s_counter)} (one counter, shared by both threads)");
    }
}
