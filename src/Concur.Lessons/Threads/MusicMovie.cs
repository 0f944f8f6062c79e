namespace Concur.Lessons;

/// <summary>The lesson's music/movie cell that starts both threads, then joins both, then asks <c>isAlive()</c>.</summary>
public static class MusicMovie
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "music-movie",
        "(cell) music/movie with sleep, start all then join all",
        "Start every thread first, then join them all: the two threads interleave; after join both are no longer alive.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        void Music(string par)
        {
            for (var i = 0; i < 3; i++)
            {
                output.WriteLine($"listening {par}");
                Thread.Sleep(TimeSpan.FromMilliseconds(10));
            }
        }

        void Movie(string par)
        {
            for (var i = 0; i < 3; i++)
            {
                output.WriteLine($"watching {par}");
                Thread.Sleep(TimeSpan.FromMilliseconds(30)); // the lesson sleeps 0.1 s here
            }
        }

        var t1 = new Thread(() => Music("学猫叫")) { Name = "music" };
        var t2 = new Thread(() => Movie("流浪地球")) { Name = "movie" };
        var threads = new List<Thread> { t1, t2 };
        foreach (var t in threads)
        {
            t.Start();
        }
        foreach (var t in threads)
        {
            t.Join();
        }
        // Python's t.isAlive() (is_alive() since Python 3.9) is Thread.IsAlive: false once the thread has ended.
        output.WriteLine(t1.IsAlive);
        output.WriteLine(t2.IsAlive);
    }
}
