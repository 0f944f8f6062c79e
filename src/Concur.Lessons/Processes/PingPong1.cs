namespace Concur.Lessons;

/// <summary>pingpang1.py: two processes run ping-pong on a global counter, and each has its own copy of it.</summary>
public static class PingPong1
{
    // counter = 0 at module level. Every process has its own copy of a static field: the parent's and each child's
    // are different variables.
    private static int s_counter;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "pingpong1",
        "pingpang1.py",
        "Each process has its own memory, so its own counter: Ping and Pong are each printed 5 times, not 5 in all.",
        Run,
        usesChildProcesses: true);

    /// <summary>Runs in a child process: prints <paramref name="text"/> while its own counter is below 5.</summary>
    /// <param name="text">"Ping" or "Pong".</param>
    public static void SubTask(string text)
    {
        while (s_counter < 5)
        {
            Console.Write(text); // print(string, end='', flush=True)
            Console.Out.Flush();
            s_counter++;
            Thread.Sleep(TimeSpan.FromMilliseconds(10));
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        var p1 = ChildProcess.Create(SubTask, "Ping");
        var p2 = ChildProcess.Create(SubTask, "Pong");
        p1.Start();
        p2.Start();
        // The lesson's main() returns here and Python joins the children at exit; the lesson joins them itself so
        // that it ends with them.
        p1.Join();
        p2.Join();
        Console.Out.Flush();
        output.WriteLine();
        output.WriteLine($"counter in the parent process: {s_counter} (each child counted to 5 in its own copy)");
    }
}
