namespace Concur.Lessons;

/// <summary>queuecommu2.py: a writer child and a reader child share a queue; the reader is terminated at the end.</summary>
public static class QueueCommu2
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "queuecommu2",
        "queuecommu2.py",
        "Two child processes talk through a queue: one puts A, B, C, the other gets them until it is terminated.",
        Run,
        usesChildProcesses: true);

    /// <summary>Runs in the writer process: puts A, B and C, pausing a random while after each.</summary>
    /// <param name="q">The queue the parent created and passed to both children.</param>
    public static void Write(JoinableProcessQueue<string> q)
    {
        Console.WriteLine($"Process to write: {Environment.ProcessId}");
        foreach (var value in new[] { "A", "B", "C" })
        {
            Console.WriteLine($"Put {value} to queue...");
            Console.Out.Flush();
            q.Put(value);
            Thread.Sleep(TimeSpan.FromSeconds(Random.Shared.NextDouble())); // time.sleep(random.random())
        }
    }

    /// <summary>Runs in the reader process: gets and prints items for ever (the parent terminates it).</summary>
    /// <param name="q">The queue the parent created and passed to both children.</param>
    public static void Read(JoinableProcessQueue<string> q)
    {
        Console.WriteLine($"Process to read: {Environment.ProcessId}");
        while (true)
        {
            var value = q.Get();
            Console.WriteLine($"Get {value} from queue.");
            Console.Out.Flush();
            q.TaskDone();
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // 父进程创建Queue，并传给各个子进程：
        using var q = new JoinableProcessQueue<string>();
        var pwrite = ChildProcess.Create(Write, q);
        var pread = ChildProcess.Create(Read, q);
        pwrite.Start(); // 启动子进程pwrite，向队列写入数据
        pread.Start();  // 启动子进程pread，从队列读取数据
        pwrite.Join();  // 等待pwrite结束
        // The lesson terminates the reader as soon as the writer is done, which can cut the reader off before it has
        // printed the last item (Python's reader usually wins that race only because the writer sleeps after its last
        // put). Here the queue is joinable: the reader marks each item done after printing it, and the parent waits
        // for that before it terminates the reader.
        q.Join(cancellationToken);
        pread.Terminate(); // pread进程里是死循环，无法等待其结束，只能强行终止
        pread.Join();
        output.WriteLine($"reader terminated (exit code {pread.ExitCode})");
    }
}
