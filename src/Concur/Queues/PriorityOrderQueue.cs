using Concur.Queues.Internal;

namespace Concur;

/// <summary>
/// A thread-safe priority queue for producers and consumers: Python's <c>queue.PriorityQueue</c>. The lowest item
/// (by <see cref="Comparer"/>) comes out first; items that compare equal come out in the order they were put.
/// </summary>
/// <typeparam name="T">
/// The type of the items; with the default comparer it must implement <see cref="IComparable{T}"/> or
/// <see cref="IComparable"/>. Tuples such as <c>(int Priority, string Job)</c> compare by their first field first.
/// </typeparam>
/// <remarks>
/// <para>
/// Python's recipe is to put <c>(priority, data)</c> tuples; the same works here with value tuples. Unlike Python,
/// equal priorities never fall through to comparing the data: a sequence number keeps them in FIFO order, so the
/// data need not be comparable when a custom comparer looks only at the priority.
/// </para>
/// <para>
/// The comparer runs while the queue's lock is held: keep it fast, and do not touch the queue from it. A comparer
/// that throws makes that <c>Put</c> or <c>Get</c> throw and leaves the queue exactly as it was: the item is not
/// added, or stays queued.
/// </para>
/// <para>
/// See <see cref="BlockingQueue{T}"/> for blocking, timeouts, cancellation, <see cref="BlockingQueue{T}.TaskDone"/>/
/// <see cref="BlockingQueue{T}.Join(CancellationToken)"/> and shutdown. All members are thread-safe.
/// </para>
/// </remarks>
/// <example>
/// Urgent jobs (lower numbers) first; jobs of the same urgency in arrival order:
/// <code>
/// var jobs = new PriorityOrderQueue&lt;(int Priority, string Job)&gt;();
/// jobs.Put((2, "write report"));
/// jobs.Put((1, "fix outage"));
/// jobs.Put((2, "answer mail"));
/// var worker = new Thread(() =&gt;
/// {
///     foreach (var (priority, job) in jobs.GetConsumingEnumerable())
///     {
///         Console.WriteLine($"{priority}: {job}");   // fix outage, write report, answer mail
///         jobs.TaskDone();
///     }
/// });
/// worker.Start();
/// jobs.Join();
/// jobs.Shutdown();
/// worker.Join();
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class PriorityOrderQueue<T> : BlockingQueue<T>
{
    private readonly StableHeap<T> _heap;

    /// <summary>Creates an empty queue.</summary>
    /// <param name="maxSize">The most items the queue holds before puts block; 0 or less (the default) means unbounded.</param>
    /// <param name="comparer">Orders the items, lowest first; <see langword="null"/> (the default) uses <see cref="Comparer{T}.Default"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="comparer"/> is <see langword="null"/> and <typeparamref name="T"/> is not comparable.</exception>
    public PriorityOrderQueue(int maxSize = 0, IComparer<T>? comparer = null)
        : base(maxSize, "PriorityOrderQueue")
    {
        if (comparer is null && !IsComparable(typeof(T)))
        {
            throw new ArgumentException(
                $"Type {typeof(T).Name} has no default order: it implements neither IComparable<{typeof(T).Name}> nor " +
                "IComparable. Pass an IComparer<T>, or put (priority, item) tuples.",
                nameof(comparer));
        }
        Comparer = comparer ?? Comparer<T>.Default;
        _heap = new StableHeap<T>(Comparer);
    }

    /// <summary>Gets the comparer that orders the items, lowest first.</summary>
    public IComparer<T> Comparer { get; }

    // The heap numbers the items as they come, and breaks ties by that number: FIFO among equal priorities.
    private protected override void StoreAdd(T item) => _heap.Push(item);

    private protected override void StoreClear() => _heap.Clear();

    private protected override T StoreTake() => _heap.Pop();

    private static bool IsComparable(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return typeof(IComparable).IsAssignableFrom(underlying)
            || typeof(IComparable<>).MakeGenericType(underlying).IsAssignableFrom(underlying);
    }
}
