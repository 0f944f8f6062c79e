namespace Concur.Lessons;

/// <summary>processtest3.py: a child process class, <c>class MySubProcess(multiprocessing.Process)</c> with its own <c>run()</c>.</summary>
public static class ProcessTest3
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "processtest3",
        "processtest3.py",
        "Subclass Process and override run(): start() runs that run() in a new process.",
        Run,
        usesChildProcesses: true);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"Parent process {ChildProcess.CurrentProcessId}.");
        var p = new MySubProcess("zhang"); // 创建子进程实例
        output.WriteLine("Child process will start.");
        output.Flush();
        p.Start(); // 启动进程: the object travels to the child (its public state), and Run() runs there
        p.Join();
        output.WriteLine("Parent process fininshed.");
    }
}

/// <summary>
/// The lesson's <c>MySubProcess</c>: a <see cref="ChildProcess"/> whose body is its <see cref="Run"/> override. It must
/// be public with a public parameterless constructor, because the child process rebuilds it from its public state.
/// </summary>
public sealed class MySubProcess : ChildProcess
{
    /// <summary>Initializes an instance; used by the child process when it rebuilds the object.</summary>
    public MySubProcess()
    {
    }

    /// <summary>Initializes the process with its name (Python: <c>self.name = name</c>).</summary>
    /// <param name="name">The process name; in the child it is <see cref="ChildProcess.CurrentProcessName"/>.</param>
    public MySubProcess(string name)
        : base(name)
    {
    }

    /// <summary>重写run()方法: runs in the child process.</summary>
    protected override void Run()
    {
        Console.WriteLine($"Run child process {CurrentProcessName} ({CurrentProcessId})...");
        Console.WriteLine($"hello {CurrentProcessName}");
    }
}
