namespace Concur.Lessons;

/// <summary>The lesson's second Event program: workers wait with a timeout and log while the server is not ready.</summary>
public static class EventWaitTimeout
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "event-wait-timeout",
        "(cell) Event: while not event.is_set(): event.wait(1), logging",
        "Event.wait(timeout) returns after the timeout even if the event is not set: the worker checks is_set() and waits again.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        void Worker(ThreadEvent evt)
        {
            while (!evt.IsSet)
            {
                LessonLog.Debug(output, "Waiting for server ready...");
                // The lesson logs 'server ready' after every wait, even one that timed out with the server still
                // down. Wait returns whether the event was set; the log line says which.
                var ready = evt.Wait(TimeSpan.FromMilliseconds(40), cancellationToken); // 1 s in the lesson
                LessonLog.Debug(output, ready ? $"server ready, [{LessonLog.CTime()}]" : "wait timed out, server not ready yet");
            }
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
        LessonLog.Debug(output, "connecting server");
        Thread.Sleep(TimeSpan.FromMilliseconds(100)); // 3 s in the lesson
        readisReady.Set();
        foreach (var t in threads)
        {
            t.Join();
        }
    }
}
