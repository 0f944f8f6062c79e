namespace Concur.Lessons;

/// <summary>The lesson's last Event program: Redis workers wait with a timeout and keep logging until the event is set.</summary>
public static class EventRedisTimeout
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "event-redis-timeout",
        "(cell) Event: redis_ready with event.wait(1) and logging.debug",
        "With wait(timeout) in a loop, workers keep telling that Redis is not up yet instead of blocking silently.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        void Worker(ThreadEvent evt)
        {
            while (!evt.IsSet)
            {
                LessonLog.Debug(output, "Waiting for redis ready...");
                var ready = evt.Wait(TimeSpan.FromMilliseconds(40), cancellationToken); // 1 s in the lesson
                // The lesson logs "Redis ready" after every wait, timed out or not; this prints what wait returned.
                LessonLog.Debug(output, ready ? $"Redis ready, [{LessonLog.CTime()}]" : "wait(timeout) returned False: not ready yet");
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
        LessonLog.Debug(output, "first of all, check redis server, make sure it is OK, and then trigger the redis ready event");
        Thread.Sleep(TimeSpan.FromMilliseconds(100)); // 3 s in the lesson
        readisReady.Set();
        foreach (var t in threads)
        {
            t.Join();
        }
    }
}
