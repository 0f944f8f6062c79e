namespace Concur.Lessons;

/// <summary>The lesson's "模拟多线程连接Redis服务器" Event program: set() right away, no timeout.</summary>
public static class EventRedis
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "event-redis",
        "(cell) Event: redis_ready, set() at once",
        "A worker that starts waiting after set() returns at once: an Event stays set until clear().",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // In the lesson, basicConfig(...) is commented out, so logging stays at its default level (WARNING) and
        // these debug() lines print nothing at all. They are printed here so that the program shows something.
        void Worker(ThreadEvent evt)
        {
            LessonLog.Debug(output, "Waiting for redis ready...");
            evt.Wait(cancellationToken);
            LessonLog.Debug(output, $"redis ready [{LessonLog.CTime()}]");
            Thread.Sleep(TimeSpan.FromMilliseconds(10));
        }

        var readisReady = new ThreadEvent();
        var threads = new List<Thread>();
        for (var i = 0; i < 3; i++)
        {
            var t = new Thread(() => Worker(readisReady)) { Name = $"Thread-{i + 1}" };
            t.Start();
            threads.Add(t);
        }
        LessonLog.Debug(output, "check redis server");
        // sleep(3) is commented out in the lesson: set() may come before some workers even start waiting.
        readisReady.Set();
        foreach (var t in threads)
        {
            t.Join();
        }
    }
}
