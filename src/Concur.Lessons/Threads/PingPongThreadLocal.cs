namespace Concur.Lessons;

/// <summary>pingpang_thread-local.py: the threaded ping-pong with a counter per thread.</summary>
public static class PingPongThreadLocal
{
    // counter = local(): one object, one value per thread. (The lesson then shadows it with a plain local
    // variable, `counter = 0`, inside sub_task, which has the same effect: a counter per thread.)
    private static readonly ThreadLocal<int> s_counter = new();

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "pingpong-thread-local",
        "pingpang_thread-local.py",
        "With a thread-local counter each thread counts on its own: Ping and Pong are printed 5 times each, as with processes.",
        Run);

    private static void SubTask(TextWriter output, string text)
    {
        s_counter.Value = 0;
        while (s_counter.Value < 5)
        {
            output.Write(text);
            s_counter.Value++;
            Thread.Sleep(TimeSpan.FromMilliseconds(10));
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        var p1 = new Thread(() => SubTask(output, "Ping")) { Name = "Ping" };
        var p2 = new Thread(() => SubTask(output, "Pong")) { Name = "Pong" };
        p1.Start();
        p2.Start();
        p1.Join(); // Python waits for both at exit; the lesson joins them so that it ends with them
        p2.Join();
        output.WriteLine();
    }
}
