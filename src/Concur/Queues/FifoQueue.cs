namespace Concur;

/// <summary>
/// A thread-safe first-in, first-out queue for producers and consumers: Python's <c>queue.Queue</c>. Items come out
/// in the order they were put.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <remarks>
/// See <see cref="BlockingQueue{T}"/> for blocking, timeouts, cancellation, <see cref="BlockingQueue{T}.TaskDone"/>/
/// <see cref="BlockingQueue{T}.Join(CancellationToken)"/> and shutdown. All members are thread-safe.
/// </remarks>
/// <example>
/// One producer, two workers; the producer waits with <c>Join</c> until every job has been handled:
/// <code>
/// var jobs = new FifoQueue&lt;string&gt;(maxSize: 10);
/// void Worker()
/// {
///     foreach (var url in jobs.GetConsumingEnumerable())
///     {
///         Console.WriteLine($"fetched {url}");
///         jobs.TaskDone();
///     }
/// }
/// var workers = new[] { new Thread(Worker), new Thread(Worker) };
/// foreach (var w in workers) w.Start();
/// foreach (var url in urls) jobs.Put(url);
/// jobs.Join();       // every job marked done
/// jobs.Shutdown();   // the workers' loops end
/// foreach (var w in workers) w.Join();
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class FifoQueue<T> : BlockingQueue<T>
{
    private readonly Queue<T> _items = new();

    /// <summary>Creates an empty queue.</summary>
    /// <param name="maxSize">The most items the queue holds before puts block; 0 or less (the default) means unbounded.</param>
    public FifoQueue(int maxSize = 0)
        : base(maxSize, "FifoQueue")
    {
    }

    private protected override void StoreAdd(T item) => _items.Enqueue(item);

    private protected override void StoreClear() => _items.Clear();

    private protected override T StoreTake() => _items.Dequeue();
}
