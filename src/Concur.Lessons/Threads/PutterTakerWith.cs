namespace Concur.Lessons;

/// <summary>The lesson's second Condition program: the same Putter/Taker, written with <c>with con:</c>.</summary>
public static class PutterTakerWith
{
    private static int s_count;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "putter-taker-with",
        "(cell) Condition: class Putter / class Taker, with con:",
        "The same producers and consumers with `with con:` (using in C#): the lock is released however the block is left.",
        Run);

    private static void Putter(TextWriter output, Condition con, CancellationToken stop)
    {
        var name = Thread.CurrentThread.Name;
        while (!stop.IsCancellationRequested)
        {
            using (con.Acquire(stop)) // with con:
            {
                if (s_count > 100)
                {
                    con.Wait(stop);
                }
                else
                {
                    s_count += 50;
                    output.WriteLine($"{name} produce 50, count={s_count}");
                    con.Notify();
                }
            }
        }
    }

    private static void Taker(TextWriter output, Condition con, CancellationToken stop)
    {
        var name = Thread.CurrentThread.Name;
        while (!stop.IsCancellationRequested)
        {
            using (con.Acquire(stop))
            {
                if (s_count < 100)
                {
                    con.Wait(stop);
                }
                else
                {
                    s_count -= 20;
                    output.WriteLine($"{name} consume 20, count={s_count}");
                    con.Notify();
                }
                // In this version the lesson sleeps INSIDE `with con:`: the Taker keeps the lock while it sleeps,
                // and every other thread waits for it. (1 s in the lesson.)
                Thread.Sleep(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken) =>
        ProducerConsumer.Run(output, Putter, Taker, PutterTaker.RunFor, () => s_count = 200, cancellationToken);
}
