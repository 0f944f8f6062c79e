namespace Concur.Lessons;

/// <summary>The shared main() of the Putter/Taker lessons: 2 Putters, 3 Takers, one Condition, a bounded run.</summary>
internal static class ProducerConsumer
{
    public static void Run(
        TextWriter output,
        Action<TextWriter, Condition, CancellationToken> putter,
        Action<TextWriter, Condition, CancellationToken> taker,
        TimeSpan runFor,
        Action reset,
        CancellationToken cancellationToken)
    {
        reset(); // count = 200
        var con = new Condition(name: "con"); // con = Condition(): over a new RLock, as in Python
        // The Python threads run `while True` forever; here they stop when this token is cancelled.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var threads = new List<Thread>();
        for (var i = 0; i < 2; i++)
        {
            threads.Add(new Thread(() => Guarded(() => putter(output, con, stop.Token))) { Name = "Putter" });
        }
        for (var i = 0; i < 3; i++)
        {
            threads.Add(new Thread(() => Guarded(() => taker(output, con, stop.Token))) { Name = "Taker" });
        }
        foreach (var t in threads)
        {
            t.Start();
        }
        stop.Token.WaitHandle.WaitOne(runFor);
        stop.Cancel();
        foreach (var t in threads)
        {
            t.Join();
        }
    }

    /// <summary>Runs a thread body, treating the lesson's stop signal as the normal end.</summary>
    public static void Guarded(Action body)
    {
        try
        {
            body();
        }
        catch (OperationCanceledException)
        {
            // stopped by the lesson
        }
    }
}
