namespace Concur.Lessons;

/// <summary>pingpang2.py: the same ping-pong, but each process is joined before the next one starts.</summary>
public static class PingPong2
{
    private static int s_counter;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "pingpong2",
        "pingpang2.py",
        "start(); join(); start(); join() runs the two processes one after the other: PingPingPingPingPingPongPongPongPongPong.",
        Run,
        usesChildProcesses: true);

    /// <summary>Runs in a child process: prints <paramref name="text"/> while its own counter is below 5.</summary>
    /// <param name="text">"Ping" or "Pong".</param>
    public static void SubTask(string text)
    {
        while (s_counter < 5)
        {
            Console.Write(text);
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
        p1.Join();
        // Pong starts with counter 0 although Ping counted to 5: not because of the join, but because p2 is a new
        // process with its own counter.
        p2.Start();
        p2.Join();
        output.WriteLine();
        output.WriteLine($"counter in the parent process: {s_counter}");
    }
}
