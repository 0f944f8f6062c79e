namespace Concur.Lessons;

/// <summary>
/// The lesson's first Condition program (使用Condition实现线程通信): two Putter threads add 50 while count is at most
/// 100, three Taker threads take 20 while count is at least 100, with explicit <c>acquire()</c>/<c>release()</c>.
/// </summary>
public static class PutterTaker
{
    /// <summary>How long the lesson lets its threads run; the Python threads loop forever.</summary>
    internal static readonly TimeSpan RunFor = TimeSpan.FromMilliseconds(200);

    private static int s_count;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "putter-taker",
        "(cell) Condition: class Putter / class Taker, con.acquire() ... con.release()",
        "Producers and consumers share a counter under a Condition: wait() while there is nothing to do, notify() after a change.",
        Run);

    private static void Putter(TextWriter output, Condition con, CancellationToken stop)
    {
        var name = Thread.CurrentThread.Name;
        while (!stop.IsCancellationRequested)
        {
            con.Acquire(stop);
            try
            {
                if (s_count > 100) // 当count小于等于100的时候进行生产
                {
                    con.Wait(stop); // releases the lock while waiting, holds it again when it returns
                }
                else
                {
                    s_count += 50;
                    output.WriteLine($"{name} produce 50, count={s_count}");
                    // Wake one waiting thread. notify() wakes ANY one waiter: it may be the other Putter, which just
                    // waits again; the lesson's `while True` loops keep going because everyone re-checks the count.
                    con.Notify();
                }
            }
            finally
            {
                // Python's explicit con.release(). In C# a try/finally (or `using`, see putter-taker-with) makes sure
                // the lock is released even when Wait is interrupted, here by the lesson's stop signal.
                con.Release();
            }
        }
    }

    private static void Taker(TextWriter output, Condition con, CancellationToken stop)
    {
        var name = Thread.CurrentThread.Name;
        while (!stop.IsCancellationRequested)
        {
            con.Acquire(stop);
            try
            {
                if (s_count < 100) // 当count大于等于100的时候进行消费
                {
                    con.Wait(stop);
                }
                else
                {
                    s_count -= 20;
                    output.WriteLine($"{name} consume 20, count={s_count}");
                    con.Notify();
                }
            }
            finally
            {
                con.Release();
            }
            Thread.Sleep(TimeSpan.FromMilliseconds(10)); // the lesson sleeps 1 s, outside the lock
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken) =>
        ProducerConsumer.Run(output, Putter, Taker, RunFor, () => s_count = 200, cancellationToken);
}
