namespace Concur.Lessons;

/// <summary>The lesson's queue program (使用queue实现线程通信): a Putter thread puts 0..4 and None, a Taker gets until None.</summary>
public static class QueuePutterTaker
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "queue-putter-taker",
        "(cell) queue.Queue: class Putter / class Taker, None ends the taker",
        "A thread-safe FIFO queue hands items from a producer thread to a consumer thread; a None sentinel says 'no more'.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // myQueue = Queue(). int? so that null can play Python's None.
        var myQueue = new FifoQueue<int?>();

        var putter = new Thread(() =>
        {
            for (var i = 0; i < 5; i++)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(20)); // 2 s in the lesson: lets the other thread run
                myQueue.Put(i, cancellationToken);
                output.WriteLine($"{Thread.CurrentThread.Name}  put  {i}  to queue.\n");
            }
            myQueue.Put(null, cancellationToken); // None表示生产者线程结束
        })
        { Name = "Putter" };

        var taker = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(30)); // 3 s in the lesson
                var item = myQueue.Get(cancellationToken);
                if (item is null)
                {
                    break;
                }
                output.WriteLine($"{Thread.CurrentThread.Name}  get  {item}  from queue.\n");
            }
        })
        { Name = "Taker" };

        putter.Start();
        taker.Start();
        putter.Join();
        taker.Join();
    }
}
