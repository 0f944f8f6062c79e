namespace Concur.Lessons;

/// <summary>The lesson's music/movie cell that joins each thread right after starting it.</summary>
public static class MusicMovieJoinEach
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "music-movie-join-each",
        "(cell) music/movie, start() then join() in one loop",
        "Starting and joining each thread in the same loop runs them one after the other: no concurrency at all.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        void Music(string par)
        {
            for (var i = 0; i < 3; i++)
            {
                output.WriteLine($"listening {par}");
            }
        }

        void Movie(string par)
        {
            for (var i = 0; i < 3; i++)
            {
                output.WriteLine($"watching {par}");
            }
        }

        var threads = new List<Thread>
        {
            new(() => Music("学猫叫")) { Name = "music" },
            new(() => Movie("流浪地球")) { Name = "movie" },
        };
        foreach (var t in threads)
        {
            t.Start();
            t.Join(); // joining inside the start loop: the movie thread starts only after the music thread has ended
        }
    }
}
