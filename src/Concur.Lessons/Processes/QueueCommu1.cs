namespace Concur.Lessons;

/// <summary>queuecommu1.py: a child process writes into a queue, the parent reads from it.</summary>
public static class QueueCommu1
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "queuecommu1",
        "queuecommu1.py",
        "A ProcessQueue passed to a child process: the child puts 'hello', the parent gets it.",
        Run,
        usesChildProcesses: true);

    /// <summary>Runs in the child process: writes into the queue it was given.</summary>
    /// <param name="q">The parent's queue, passed as the child's argument as the lesson passes <c>args=(q,)</c>.</param>
    public static void Fun(ProcessQueue<string> q)
    {
        Console.WriteLine($"({Environment.ProcessId}) 进程向队列中写入数据...");
        Console.Out.Flush();
        q.Put("hello");
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        using var q = new ProcessQueue<string>();     // 创建进程通信的Queue
        var p = ChildProcess.Create(Fun, q);        // 创建子进程
        p.Start();
        output.WriteLine($"({Environment.ProcessId}) 进程开始从队列这读取数据...");
        output.WriteLine(q.Get(cancellationToken)); // 读取数据
        p.Join();
    }
}
