namespace Concur;

/// <summary>
/// A thread-safe last-in, first-out queue (a stack) for producers and consumers: Python's <c>queue.LifoQueue</c>.
/// The item put most recently comes out first.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <remarks>
/// See <see cref="BlockingQueue{T}"/> for blocking, timeouts, cancellation, <see cref="BlockingQueue{T}.TaskDone"/>/
/// <see cref="BlockingQueue{T}.Join(CancellationToken)"/> and shutdown. All members are thread-safe.
/// </remarks>
/// <example>
/// A depth-first crawl: the newest discovered page is visited first.
/// <code>
/// var pages = new LifoQueue&lt;string&gt;();
/// pages.Put("/");
/// var worker = new Thread(() =&gt;
/// {
///     foreach (var page in pages.GetConsumingEnumerable())
///     {
///         foreach (var link in LinksOn(page)) pages.Put(link);   // put before marking this one done
///         pages.TaskDone();
///     }
/// });
/// worker.Start();
/// pages.Join();       // every page found has been visited
/// pages.Shutdown();
/// worker.Join();
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class LifoQueue<T> : BlockingQueue<T>
{
    private readonly Stack<T> _items = new();

    /// <summary>Creates an empty queue.</summary>
    /// <param name="maxSize">The most items the queue holds before puts block; 0 or less (the default) means unbounded.</param>
    public LifoQueue(int maxSize = 0)
        : base(maxSize, "LifoQueue")
    {
    }

    private protected override void StoreAdd(T item) => _items.Push(item);

    private protected override void StoreClear() => _items.Clear();

    private protected override T StoreTake() => _items.Pop();
}
