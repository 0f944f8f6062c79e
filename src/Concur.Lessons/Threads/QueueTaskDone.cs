namespace Concur.Lessons;

/// <summary>The lesson's <c>task_done()</c>/<c>join()</c> program: five workers handle six items; the main thread waits on the queue.</summary>
public static class QueueTaskDone
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "queue-task-done",
        "(cell) queue.Queue: worker() with q.task_done(), q.join()",
        "q.join() returns when every item put has been marked done with task_done(); then one None per worker stops them.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        var q = new FifoQueue<string?>();

        void Worker()
        {
            while (true)
            {
                var item = q.Get(cancellationToken);
                if (item is null)
                {
                    break;
                }
                output.WriteLine($"{Thread.CurrentThread.Name} worker get :{item}\n");
                Thread.Sleep(TimeSpan.FromMilliseconds(20)); // 0.1 s in the lesson
                q.TaskDone(); // 注意这里: this item is handled
            }
        }

        foreach (var item in new[] { "A", "B", "C", "D", "E", "F" })
        {
            q.Put(item, cancellationToken);
        }
        var threads = new List<Thread>();
        for (var i = 0; i < 5; i++)
        {
            var t = new Thread(Worker) { Name = $"Thread-{i + 1}" }; // Python's default thread names
            t.Start();
            threads.Add(t);
        }
        q.Join(cancellationToken); // 阻塞，直到队列中所有元素都被处理完毕
        output.WriteLine("all items have been handled (q.join() returned)");

        // The lesson has these two lines commented out, and then joins the workers: they are all blocked in
        // q.get() and the program hangs. Putting one None per worker is its own fix (Concur's q.Shutdown(),
        // Python 3.13's Queue.shutdown(), is another).
        for (var i = 0; i < 5; i++)
        {
            q.Put(null, cancellationToken);
        }
        foreach (var t in threads)
        {
            t.Join();
        }
        output.WriteLine($"thread {Thread.CurrentThread.Name ?? "MainThread"} ended.");
    }
}
