namespace Concur.Lessons;

/// <summary>The lesson's first Event program (使用Event实现线程通信): workers wait until the main thread has "connected to the server".</summary>
public static class EventServerReady
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "event-server-ready",
        "(cell) Event: worker(event), server_ready.set()",
        "Event.wait() blocks every worker until one set() releases them all at once.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        void Worker(ThreadEvent serverReady)
        {
            output.WriteLine($"{Thread.CurrentThread.Name} waiting for server\n");
            serverReady.Wait(cancellationToken);
            output.WriteLine($"{Thread.CurrentThread.Name} server is ready\n ");
            Thread.Sleep(TimeSpan.FromMilliseconds(10)); // 1 s in the lesson
        }

        var serverReady = new ThreadEvent(); // 创建Event对象
        var threads = new List<Thread>();
        for (var i = 0; i < 3; i++)
        {
            var t = new Thread(() => Worker(serverReady)) { Name = $"Thread-{i + 1}" };
            t.Start();
            threads.Add(t);
        }
        output.WriteLine("MainThread connecting server\n");
        Thread.Sleep(TimeSpan.FromMilliseconds(100)); // 3 s in the lesson
        serverReady.Set();
        foreach (var t in threads)
        {
            t.Join(); // Python waits for the (non-daemon) workers at exit
        }
    }
}
