namespace Concur.Lessons;

/// <summary>processtest1.py: a child process created from a function (<c>Process(target=fun, args=('zhang',))</c>).</summary>
public static class ProcessTest1
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "processtest1",
        "processtest1.py",
        "Process(target=fun, args=...) runs a function in a new process with its own pid; join() waits for it.",
        Run,
        usesChildProcesses: true);

    /// <summary>子进程要执行的代码: runs in the child process, printing to the console it inherited.</summary>
    /// <param name="name">The argument the parent passed (args=('zhang',)).</param>
    public static void Fun(string name)
    {
        Console.WriteLine($"Run child process {name} ({ChildProcess.CurrentProcessId})...");
        Console.WriteLine($"hello {name}");
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // The `if __name__ == '__main__':` guard has no C# counterpart to write: a Concur child process does not
        // re-run the parent's Main; it runs only the function it was given.
        output.WriteLine($"Parent process {ChildProcess.CurrentProcessId}.");
        var p = ChildProcess.Create(Fun, "zhang"); // 以指定函数创建子进程
        output.WriteLine($"Child process will start. {p.Name}");
        output.Flush();
        p.Start(); // 启动进程
        p.Join(); // 当前进程等待子进程p执行完毕再向下继续执行
        output.WriteLine("Parent process fininshed.");
    }
}
