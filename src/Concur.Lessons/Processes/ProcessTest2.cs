namespace Concur.Lessons;

/// <summary>processtest2.py: eight child processes, listed with <c>active_children()</c>, then joined.</summary>
public static class ProcessTest2
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "processtest2",
        "processtest2.py",
        "Start eight processes in a loop; active_children() lists the ones still running; join them all before finishing.",
        Run,
        usesChildProcesses: true);

    /// <summary>子进程要执行的代码.</summary>
    /// <param name="num">The child's number, 1 to 8.</param>
    public static void Fun(int num) => Console.WriteLine($"process {num} ");

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"Parent process {ChildProcess.CurrentProcessId}.");
        output.Flush();
        var started = new List<ChildProcess>();
        for (var i = 0; i < 8; i++)
        {
            var p = ChildProcess.Create(Fun, i + 1);
            p.Start();
            started.Add(p);
        }
        // active_children(): the children started by this process that have not ended yet. Which ones are still
        // running at this moment depends on timing, so this list varies from run to run.
        foreach (var p in ChildProcess.ActiveChildren())
        {
            output.WriteLine($"child process name is: {p.Name} child process id:{p.Pid}");
        }
        output.WriteLine("Waiting for All Child process fininshed.");
        output.Flush();
        // The lesson joins active_children() again. A child that ended in between is no longer in that list,
        // and joining it is not needed; joining every child started is the same thing, and clearer.
        foreach (var p in started)
        {
            p.Join();
        }
        output.WriteLine("Parent process fininshed.");
    }
}
