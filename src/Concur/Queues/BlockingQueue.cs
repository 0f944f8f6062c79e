using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A thread-safe queue that producers and consumers share, with blocking and asynchronous puts and gets, task
/// accounting (<see cref="TaskDone"/>/<see cref="Join(CancellationToken)"/>) and shutdown: the common core of
/// Python's <c>queue.Queue</c>, <c>LifoQueue</c> and <c>PriorityQueue</c>.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <remarks>
/// <para>
/// Concur's three queues derive from this class and differ only in the order items come out:
/// <see cref="FifoQueue{T}"/> (first in, first out), <see cref="LifoQueue{T}"/> (last in, first out) and
/// <see cref="PriorityOrderQueue{T}"/> (lowest first). Other code cannot derive from it.
/// </para>
/// <para>
/// As in CPython, the queue is built from one <see cref="ExclusiveLock"/> and three <see cref="Condition"/>s over it:
/// getters wait on "not empty", putters on "not full" and joiners on "all tasks done". A queue with a
/// <see cref="MaxSize"/> of 0 (or less) is unbounded, so puts never block.
/// </para>
/// <para>
/// Every blocking member takes a <see cref="TimeSpan"/> timeout (<see cref="Timeout.InfiniteTimeSpan"/> waits
/// forever) and a <see cref="CancellationToken"/>, and has an asynchronous twin; blocking and asynchronous callers can
/// share one queue. A wait that is cancelled throws <see cref="OperationCanceledException"/> and changes nothing: an
/// item is either in the queue or returned to a caller, never dropped. A token that is already cancelled when a
/// call starts makes it throw at once, even if it could have completed.
/// </para>
/// <para>
/// After <see cref="Shutdown(bool)"/>, the non-blocking <c>TryPut</c>/<c>TryGet</c> throw
/// <see cref="QueueShutDownException"/> rather than return <see langword="false"/>, as Python's <c>put_nowait</c> and
/// <c>get_nowait</c> raise <c>ShutDown</c>: <see langword="false"/> means only "full" or "empty right now".
/// </para>
/// <para>
/// <see cref="MaxSize"/> can be changed while the queue is in use (CPython lets code assign <c>maxsize</c>): growing it
/// wakes as many blocked putters as there is new room; shrinking it drops nothing, later puts block until the queue
/// holds fewer items than the new bound.
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
/// <example>
/// Workers take items, mark each one done, and the producer waits until all have been handled:
/// <code>
/// var jobs = new FifoQueue&lt;int&gt;(maxSize: 100);
/// for (var w = 0; w &lt; 4; w++)
/// {
///     new Thread(() =&gt;
///     {
///         foreach (var job in jobs.GetConsumingEnumerable())
///         {
///             Console.WriteLine(job * job);
///             jobs.TaskDone();
///         }
///     }).Start();
/// }
/// for (var i = 0; i &lt; 1000; i++)
/// {
///     jobs.Put(i);        // blocks while 100 items wait
/// }
/// jobs.Join();            // returns once every item has been marked done
/// jobs.Shutdown();        // the workers' loops end
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public abstract class BlockingQueue<T>
{
    // How the parts fit (as in CPython's Lib/queue.py):
    //
    //   putters ──Put──▶ [ _mutex: ExclusiveLock ] ◀──Get── getters
    //                     │  storage (StoreAdd/StoreTake: Queue<T>, Stack<T> or StableHeap<T>)
    //                     │  _notFull      putters wait here while full;   a get notifies one
    //                     │  _notEmpty     getters wait here while empty;  a put notifies one
    //                     │  _allTasksDone joiners wait here;              the last TaskDone notifies all
    //                     └─ Shutdown sets _isShutDown and notifies everyone, who re-check and throw.
    //
    // Every state change happens under _mutex; waits release it (Condition semantics) and re-check on waking.

    private readonly ExclusiveLock _mutex;
    private readonly Condition _notEmpty;
    private readonly Condition _notFull;
    private readonly Condition _allTasksDone;
    private readonly string _kind;

    // Written only under _mutex; read without it by the snapshot properties and the spin before a blocking put.
    private volatile int _maxSize;
    private volatile int _count;
    private volatile bool _isShutDown;
    private long _unfinishedTasks;

    // How many callers wait on each condition, under _mutex. Puts and gets notify only when someone waits, which
    // keeps the uncontended path free of condition work. Each count is at least the number of waiters the condition
    // holds, so no needed notify is skipped.
    private int _waitingGetters;
    private int _waitingPutters;
    private int _waitingJoiners;

    private protected BlockingQueue(int maxSize, string kind)
    {
        _kind = kind;
        _maxSize = maxSize > 0 ? maxSize : 0;
        _mutex = new ExclusiveLock($"{kind}<{typeof(T).Name}>.mutex");
        _notEmpty = new Condition(_mutex);
        _notFull = new Condition(_mutex);
        _allTasksDone = new Condition(_mutex);
    }

    /// <summary>Gets the number of callers blocked in a get (for tests: observe that a call really blocks).</summary>
    internal int WaitingGetters => Volatile.Read(ref _waitingGetters);

    /// <summary>Gets the number of callers blocked in a put.</summary>
    internal int WaitingPutters => Volatile.Read(ref _waitingPutters);

    /// <summary>Gets the number of callers blocked in a join.</summary>
    internal int WaitingJoiners => Volatile.Read(ref _waitingJoiners);

    private enum Outcome
    {
        Done,
        TimedOut,
        ShutDown,
    }

    /// <summary>
    /// Gets or sets the most items the queue holds before puts block; 0 means unbounded (Python's <c>maxsize</c>, which
    /// code may also assign while the queue is in use).
    /// </summary>
    /// <value>0 (unbounded) or positive. A <c>maxSize</c> of 0 or less given to the constructor is reported as 0.</value>
    /// <remarks>
    /// <para>
    /// Growing the bound (or removing it with 0) wakes as many blocked putters as there is new room, blocking and
    /// asynchronous alike. Shrinking it below <see cref="Count"/> drops nothing: the items stay, and puts block (or
    /// <c>TryPut</c> returns <see langword="false"/>) until gets bring the count below the new bound, as in CPython's
    /// <c>test_shrinking_queue</c>.
    /// </para>
    /// <para>The setter takes the queue's lock for a moment, so it may wait for a put or get in progress.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value set is negative (unlike the constructor, which reads a negative size as unbounded, the setter refuses it: a bound computed as negative is a bug).</exception>
    public int MaxSize
    {
        get => _maxSize;
        set
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(value),
                    value,
                    "MaxSize must be 0 (unbounded) or positive: it is the most items the queue holds before puts block.");
            }
            using (_mutex.Acquire())
            {
                var old = _maxSize;
                _maxSize = value;
                if (_waitingPutters > 0)
                {
                    // Room before: old - count (none if the queue is over an old, smaller bound); room now: value -
                    // count. Wake one putter per new slot; a putter woken for a slot that a barging put took waits
                    // again, and the next get wakes the next putter, so none is left asleep with room free.
                    var gained = value == 0 ? int.MaxValue
                        : old == 0 ? 0
                        : value - Math.Max(old, _count);
                    if (gained > 0)
                    {
                        _notFull.Notify(gained);
                    }
                }
            }
        }
    }

    /// <summary>Gets the number of items in the queue now (Python's <c>qsize()</c>).</summary>
    /// <remarks>A snapshot: other threads may change it before the caller acts on it.</remarks>
    public int Count => _count;

    /// <summary>Gets a value indicating whether the queue holds no items now (Python's <c>empty()</c>).</summary>
    /// <remarks>A snapshot: a <c>Get</c> right after may still block.</remarks>
    public bool IsEmpty => _count == 0;

    /// <summary>Gets a value indicating whether a bounded queue holds <see cref="MaxSize"/> items now (Python's <c>full()</c>); always <see langword="false"/> for an unbounded queue.</summary>
    /// <remarks>A snapshot: a <c>Put</c> right after may still block.</remarks>
    public bool IsFull
    {
        get
        {
            var max = _maxSize;
            return max > 0 && _count >= max;
        }
    }

    /// <summary>Gets a value indicating whether <see cref="Shutdown(bool)"/> has been called (Python's <c>is_shutdown</c>).</summary>
    public bool IsShutDown => _isShutDown;

    /// <summary>
    /// Gets the number of items put but not yet marked done with <see cref="TaskDone"/> (Python's
    /// <c>unfinished_tasks</c>); <see cref="Join(CancellationToken)"/> returns when it reaches 0.
    /// </summary>
    public long UnfinishedTaskCount => Interlocked.Read(ref _unfinishedTasks);

    /// <summary>Puts <paramref name="item"/> into the queue, blocking while a bounded queue is full (Python's <c>put(item)</c>).</summary>
    /// <param name="item">The item to add.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <exception cref="QueueShutDownException">The queue has been shut down, before or while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    public void Put(T item, CancellationToken cancellationToken = default) =>
        FinishPut(PutCore(item, Timeout.InfiniteTimeSpan, cancellationToken), Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Puts <paramref name="item"/> into the queue, waiting up to <paramref name="timeout"/> for room in a bounded
    /// queue (Python's <c>put(item, timeout=...)</c>).
    /// </summary>
    /// <param name="item">The item to add.</param>
    /// <param name="timeout">The most time to wait for room: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="QueueFullException">The queue stayed full for the whole <paramref name="timeout"/>; the item was not added.</exception>
    /// <exception cref="QueueShutDownException">The queue has been shut down, before or while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    public void Put(T item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        FinishPut(PutCore(item, timeout, cancellationToken), timeout);
    }

    /// <summary>Puts <paramref name="item"/> into the queue if there is room now, without waiting (Python's <c>put_nowait</c>, returning instead of raising <c>Full</c>).</summary>
    /// <param name="item">The item to add.</param>
    /// <returns><see langword="true"/> if the item was added; <see langword="false"/> if the queue is full.</returns>
    /// <exception cref="QueueShutDownException">The queue has been shut down: a shut-down queue is not "full", it takes nothing more.</exception>
    public bool TryPut(T item) => FinishTryPut(PutCore(item, TimeSpan.Zero, CancellationToken.None));

    /// <summary>Puts <paramref name="item"/> into the queue, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <param name="item">The item to add.</param>
    /// <param name="timeout">The most time to wait for room: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <returns><see langword="true"/> if the item was added; <see langword="false"/> if the queue stayed full for the whole timeout.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="QueueShutDownException">The queue has been shut down, before or while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    public bool TryPut(T item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return FinishTryPut(PutCore(item, timeout, cancellationToken));
    }

    /// <summary>Removes and returns the next item, blocking while the queue is empty (Python's <c>get()</c>).</summary>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>The next item in the queue's order.</returns>
    /// <exception cref="QueueShutDownException">The queue has been shut down and holds no more items.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    public T Get(CancellationToken cancellationToken = default)
    {
        FinishGet(GetCore(Timeout.InfiniteTimeSpan, cancellationToken, out var item), Timeout.InfiniteTimeSpan);
        return item;
    }

    /// <summary>Removes and returns the next item, waiting up to <paramref name="timeout"/> for one (Python's <c>get(timeout=...)</c>).</summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>The next item in the queue's order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="QueueEmptyException">The queue stayed empty for the whole <paramref name="timeout"/>.</exception>
    /// <exception cref="QueueShutDownException">The queue has been shut down and holds no more items.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    public T Get(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        FinishGet(GetCore(timeout, cancellationToken, out var item), timeout);
        return item;
    }

    /// <summary>Removes the next item if there is one now, without waiting (Python's <c>get_nowait</c>, returning instead of raising <c>Empty</c>).</summary>
    /// <param name="item">The item removed, or the default value when there was none.</param>
    /// <returns><see langword="true"/> if an item was removed; <see langword="false"/> if the queue is empty.</returns>
    /// <exception cref="QueueShutDownException">The queue has been shut down and holds no more items.</exception>
    public bool TryGet([MaybeNullWhen(false)] out T item) =>
        FinishTryGet(GetCore(TimeSpan.Zero, CancellationToken.None, out item));

    /// <summary>Removes the next item, waiting up to <paramref name="timeout"/> for one.</summary>
    /// <param name="item">The item removed, or the default value when the time ran out.</param>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns><see langword="true"/> if an item was removed; <see langword="false"/> if the queue stayed empty for the whole timeout.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="QueueShutDownException">The queue has been shut down and holds no more items.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    public bool TryGet([MaybeNullWhen(false)] out T item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return FinishTryGet(GetCore(timeout, cancellationToken, out item));
    }

    /// <summary>
    /// Marks one item taken from the queue as handled (Python's <c>task_done()</c>). When every item ever put has been
    /// marked, waiting <see cref="Join(CancellationToken)"/> calls return.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called more times than items were put (Python's <c>ValueError</c>).</exception>
    public void TaskDone()
    {
        using (_mutex.Acquire())
        {
            var unfinished = _unfinishedTasks - 1;
            if (unfinished < 0)
            {
                throw new InvalidOperationException(
                    "TaskDone() called more times than there were items: call it once for each item taken with Get, " +
                    "after handling it.");
            }
            Volatile.Write(ref _unfinishedTasks, unfinished);
            if (unfinished == 0 && _waitingJoiners > 0)
            {
                _allTasksDone.NotifyAll();
            }
        }
    }

    /// <summary>Blocks until every item ever put has been marked done with <see cref="TaskDone"/> (Python's <c>join()</c>); returns at once if none is pending.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public void Join(CancellationToken cancellationToken = default) =>
        JoinCore(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Blocks until every item ever put has been marked done, or until <paramref name="timeout"/> passes.</summary>
    /// <param name="timeout">The most time to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if every item has been marked done; <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public bool Join(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return JoinCore(timeout, cancellationToken);
    }

    /// <summary>
    /// Shuts the queue down (Python 3.13's <c>shutdown</c>): every later put throws
    /// <see cref="QueueShutDownException"/>, and gets go on returning the items left, then throw it too. Blocked putters
    /// and, once the queue is empty, blocked getters wake and throw. Calling it again is allowed.
    /// </summary>
    /// <param name="immediate">
    /// <see langword="false"/> (the default) leaves the items in the queue for consumers to drain;
    /// <see langword="true"/> discards them at once, counts each discarded item as done for
    /// <see cref="Join(CancellationToken)"/>, and wakes blocked joiners (they return once items already taken are
    /// marked done too).
    /// </param>
    public void Shutdown(bool immediate = false)
    {
        using (_mutex.Acquire())
        {
            _isShutDown = true;
            if (immediate)
            {
                // Each discarded item counts as done, as in Python (which never lets the count go below zero).
                var dropped = _count;
                StoreClear();
                _count = 0;
                Volatile.Write(ref _unfinishedTasks, Math.Max(0, _unfinishedTasks - dropped));
                _allTasksDone.NotifyAll();
            }
            _notEmpty.NotifyAll();
            _notFull.NotifyAll();
        }
    }

    /// <summary>Asynchronously puts <paramref name="item"/> into the queue, waiting while a bounded queue is full.</summary>
    /// <param name="item">The item to add.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <returns>A task that completes when the item is in the queue.</returns>
    /// <exception cref="QueueShutDownException">The queue has been shut down, before or while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    public ValueTask PutAsync(T item, CancellationToken cancellationToken = default) =>
        PutAsync(item, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Asynchronously puts <paramref name="item"/> into the queue, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <param name="item">The item to add.</param>
    /// <param name="timeout">The most time to wait for room: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <returns>A task that completes when the item is in the queue.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="QueueFullException">The queue stayed full for the whole <paramref name="timeout"/>; the item was not added.</exception>
    /// <exception cref="QueueShutDownException">The queue has been shut down, before or while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    public ValueTask PutAsync(T item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        var pending = PutCoreAsync(item, timeout, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            var outcome = pending.Result;
            return outcome == Outcome.Done ? default : ValueTask.FromException(PutFailure(outcome, timeout));
        }
        return AwaitPut(pending, timeout);
    }

    /// <summary>Asynchronously puts <paramref name="item"/> into the queue, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <param name="item">The item to add.</param>
    /// <param name="timeout">The most time to wait for room: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <returns><see langword="true"/> if the item was added; <see langword="false"/> if the queue stayed full for the whole timeout.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="QueueShutDownException">The queue has been shut down, before or while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    public ValueTask<bool> TryPutAsync(T item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        var pending = PutCoreAsync(item, timeout, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<bool>(FinishTryPut(pending.Result))
            : AwaitTryPut(pending);
    }

    /// <summary>Asynchronously removes and returns the next item, waiting while the queue is empty.</summary>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>The next item in the queue's order.</returns>
    /// <exception cref="QueueShutDownException">The queue has been shut down and holds no more items.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    public ValueTask<T> GetAsync(CancellationToken cancellationToken = default) =>
        GetAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Asynchronously removes and returns the next item, waiting up to <paramref name="timeout"/> for one.</summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>The next item in the queue's order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="QueueEmptyException">The queue stayed empty for the whole <paramref name="timeout"/>.</exception>
    /// <exception cref="QueueShutDownException">The queue has been shut down and holds no more items.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    public ValueTask<T> GetAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        var pending = GetCoreAsync(timeout, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            var (outcome, item) = pending.Result;
            return outcome == Outcome.Done
                ? new ValueTask<T>(item)
                : ValueTask.FromException<T>(GetFailure(outcome, timeout));
        }
        return AwaitGet(pending, timeout);
    }

    /// <summary>
    /// Asynchronously removes the next item, waiting up to <paramref name="timeout"/> for one: the asynchronous twin of
    /// <see cref="TryGet(out T, TimeSpan, CancellationToken)"/> (an <c>out</c> parameter cannot cross an <c>await</c>,
    /// so the item comes back in the result).
    /// </summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>
    /// <c>(true, item)</c> if an item was removed; <c>(false, default)</c> if the queue stayed empty for the whole
    /// timeout. Write <c>var (taken, item) = await queue.TryGetAsync(timeout);</c>.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="QueueShutDownException">The queue has been shut down and holds no more items.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    public ValueTask<(bool Taken, T? Item)> TryGetAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        var pending = GetCoreAsync(timeout, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            var (outcome, item) = pending.Result;
            return new ValueTask<(bool, T?)>((FinishTryGet(outcome), item));
        }
        return AwaitTryGet(pending);
    }

    /// <summary>Asynchronously waits until every item ever put has been marked done with <see cref="TaskDone"/>.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when no item is pending.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task JoinAsync(CancellationToken cancellationToken = default) =>
        JoinCoreAsync(Timeout.InfiniteTimeSpan, cancellationToken).AsTask();

    /// <summary>Asynchronously waits until every item ever put has been marked done, or until <paramref name="timeout"/> passes.</summary>
    /// <param name="timeout">The most time to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if every item has been marked done; <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<bool> JoinAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return JoinCoreAsync(timeout, cancellationToken).AsTask();
    }

    /// <summary>
    /// Yields items as <see cref="Get(CancellationToken)"/> returns them, blocking while the queue is empty, and ends
    /// when the queue has been shut down and drained (like <c>BlockingCollection&lt;T&gt;.GetConsumingEnumerable</c>).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the enumeration then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>A single-use sequence that removes each item it yields; several consumers may each enumerate their own.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed by that wait.</exception>
    public IEnumerable<T> GetConsumingEnumerable(CancellationToken cancellationToken = default)
    {
        while (GetCore(Timeout.InfiniteTimeSpan, cancellationToken, out var item) == Outcome.Done)
        {
            yield return item;
        }
    }

    /// <summary>
    /// Asynchronously yields items as <see cref="GetAsync(CancellationToken)"/> returns them, and ends when the queue
    /// has been shut down and drained.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the enumeration then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>A single-use sequence that removes each item it yields.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed by that wait.</exception>
    public async IAsyncEnumerable<T> GetConsumingAsyncEnumerable([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var (outcome, item) = await GetCoreAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            if (outcome != Outcome.Done)
            {
                yield break;
            }
            yield return item;
        }
    }

    /// <summary>
    /// Describes the queue's state now: its kind, how many items it holds and its bound, then what is pending, as
    /// CPython's <c>repr</c> of a synchronization object shows its state.
    /// </summary>
    /// <returns>
    /// For example <c>FifoQueue&lt;Int32&gt; (3 items, max size 10)</c> or
    /// <c>LifoQueue&lt;String&gt; (0 items, unbounded, 2 unfinished tasks, 1 getter waiting, shut down)</c>.
    /// </returns>
    /// <remarks>A snapshot read without the queue's lock: the parts may come from slightly different moments.</remarks>
    public override string ToString()
    {
        var max = _maxSize;
        var count = _count;
        var text = new System.Text.StringBuilder();
        text.Append(_kind).Append('<').Append(typeof(T).Name).Append("> (")
            .Append(count).Append(count == 1 ? " item, " : " items, ")
            .Append(max == 0 ? "unbounded" : $"max size {max}");
        var unfinished = UnfinishedTaskCount;
        if (unfinished > 0)
        {
            text.Append(", ").Append(unfinished).Append(unfinished == 1 ? " unfinished task" : " unfinished tasks");
        }
        AppendWaiting(text, WaitingGetters, "getter");
        AppendWaiting(text, WaitingPutters, "putter");
        AppendWaiting(text, WaitingJoiners, "joiner");
        if (_isShutDown)
        {
            text.Append(", shut down");
        }
        return text.Append(')').ToString();

        static void AppendWaiting(System.Text.StringBuilder text, int waiting, string who)
        {
            if (waiting > 0)
            {
                text.Append(", ").Append(waiting).Append(' ').Append(who).Append(waiting == 1 ? " waiting" : "s waiting");
            }
        }
    }

    /// <summary>Adds <paramref name="item"/> to the storage. Called under the mutex; must leave the storage unchanged if it throws.</summary>
    private protected abstract void StoreAdd(T item);

    /// <summary>Removes the next item from the non-empty storage. Called under the mutex; must leave the storage unchanged if it throws.</summary>
    private protected abstract T StoreTake();

    /// <summary>Removes every item from the storage. Called under the mutex; must not throw.</summary>
    private protected abstract void StoreClear();

    private static Exception PutFailure(Outcome outcome, TimeSpan timeout) => outcome == Outcome.ShutDown
        ? new QueueShutDownException("Cannot put into a queue that has been shut down.")
        : new QueueFullException(
            $"The queue stayed full for {timeout.TotalMilliseconds:0.###} ms; the item was not added. " +
            "Use TryPut to test for room without an exception, or a longer timeout.");

    private static Exception GetFailure(Outcome outcome, TimeSpan timeout) => outcome == Outcome.ShutDown
        ? new QueueShutDownException("The queue has been shut down and holds no more items.")
        : new QueueEmptyException(
            $"The queue stayed empty for {timeout.TotalMilliseconds:0.###} ms. " +
            "Use TryGet to test for an item without an exception, or a longer timeout.");

    private static void FinishPut(Outcome outcome, TimeSpan timeout)
    {
        if (outcome != Outcome.Done)
        {
            throw PutFailure(outcome, timeout);
        }
    }

    private static void FinishGet(Outcome outcome, TimeSpan timeout)
    {
        if (outcome != Outcome.Done)
        {
            throw GetFailure(outcome, timeout);
        }
    }

    private static bool FinishTryPut(Outcome outcome) => outcome switch
    {
        Outcome.Done => true,
        Outcome.TimedOut => false,
        _ => throw PutFailure(outcome, TimeSpan.Zero),
    };

    private static bool FinishTryGet(Outcome outcome) => outcome switch
    {
        Outcome.Done => true,
        Outcome.TimedOut => false,
        _ => throw GetFailure(outcome, TimeSpan.Zero),
    };

    private bool HasRoomLocked => _maxSize == 0 || _count < _maxSize;

    // ---- The shared core: every put, get and join, blocking or asynchronous, goes through these state changes
    // under the mutex; the sync and async loops below differ only in how they wait.

    /// <summary>Adds an item; the caller holds the mutex and has checked for room and shutdown.</summary>
    private void EnqueueLocked(T item)
    {
        StoreAdd(item);
        _count++;
        Volatile.Write(ref _unfinishedTasks, _unfinishedTasks + 1);
        if (_waitingGetters > 0)
        {
            _notEmpty.Notify();
        }
    }

    /// <summary>Removes the next item; the caller holds the mutex and has checked the queue is not empty.</summary>
    private T DequeueLocked()
    {
        var item = StoreTake();
        _count--;
        if (_waitingPutters > 0)
        {
            _notFull.Notify();
        }
        return item;
    }

    // The blocking members run these cores with sync: true. They then take the lock and wait on the conditions with
    // the blocking calls, never suspend, and return completed ValueTasks; SyncOrAsync.RunSync unwraps them. The
    // asynchronous members run the same cores with sync: false, which take the lock with AcquireAsync and wait on the
    // scope it returns. Both wait through Condition.WaitCore, the conditions' own core, with the same flag.
    //
    // Before a blocking call that would find the queue empty (or full), the core spins a few microseconds, without
    // the lock, for the state to change: a partner on another core often gets there first, and a condition wait
    // (queue a waiter, sleep, be woken by the kernel) costs far more. It never yields the processor
    // (Spinning.NoYieldRounds), so it never delays others.

    private Outcome PutCore(T item, TimeSpan timeout, CancellationToken cancellationToken) =>
        SyncOrAsync.RunSync(PutCoreAsync(item, timeout, cancellationToken, sync: true));

    private Outcome GetCore(TimeSpan timeout, CancellationToken cancellationToken, [MaybeNullWhen(false)] out T item)
    {
        (var outcome, item) = SyncOrAsync.RunSync(GetCoreAsync(timeout, cancellationToken, sync: true));
        return outcome;
    }

    private bool JoinCore(TimeSpan timeout, CancellationToken cancellationToken) =>
        SyncOrAsync.RunSync(JoinCoreAsync(timeout, cancellationToken, sync: true));

    private async ValueTask<Outcome> PutCoreAsync(T item, TimeSpan timeout, CancellationToken cancellationToken, bool sync = false)
    {
        if (sync && timeout != TimeSpan.Zero && _maxSize > 0)
        {
            Spinning.SpinUntil(this, static q => q._count < q._maxSize || q._maxSize == 0 || q._isShutDown, Spinning.NoYieldRounds);
        }
        using var scope = sync
            ? _mutex.Acquire(cancellationToken)
            : await _mutex.AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (_isShutDown)
        {
            return Outcome.ShutDown;
        }
        if (!HasRoomLocked)
        {
            var deadline = Deadline.Start(timeout);
            _waitingPutters++;
            try
            {
                do
                {
                    var remaining = deadline.Remaining;
                    if (remaining == TimeSpan.Zero)
                    {
                        return Outcome.TimedOut;
                    }
                    await _notFull.WaitCore(scope.Owner!, remaining, sync, cancellationToken).ConfigureAwait(false);
                    if (_isShutDown)
                    {
                        return Outcome.ShutDown;
                    }
                }
                while (!HasRoomLocked);
            }
            finally
            {
                _waitingPutters--;
            }
        }
        EnqueueLocked(item);
        return Outcome.Done;
    }

    private async ValueTask<(Outcome Outcome, T Item)> GetCoreAsync(TimeSpan timeout, CancellationToken cancellationToken, bool sync = false)
    {
        if (sync && timeout != TimeSpan.Zero)
        {
            Spinning.SpinUntil(this, static q => q._count > 0 || q._isShutDown, Spinning.NoYieldRounds);
        }
        using var scope = sync
            ? _mutex.Acquire(cancellationToken)
            : await _mutex.AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (_count == 0)
        {
            var deadline = Deadline.Start(timeout);
            _waitingGetters++;
            try
            {
                do
                {
                    if (_isShutDown)
                    {
                        return (Outcome.ShutDown, default!);
                    }
                    var remaining = deadline.Remaining;
                    if (remaining == TimeSpan.Zero)
                    {
                        return (Outcome.TimedOut, default!);
                    }
                    await _notEmpty.WaitCore(scope.Owner!, remaining, sync, cancellationToken).ConfigureAwait(false);
                }
                while (_count == 0);
            }
            finally
            {
                _waitingGetters--;
            }
        }
        return (Outcome.Done, DequeueLocked());
    }

    private async ValueTask<bool> JoinCoreAsync(TimeSpan timeout, CancellationToken cancellationToken, bool sync = false)
    {
        using var scope = sync
            ? _mutex.Acquire(cancellationToken)
            : await _mutex.AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (_unfinishedTasks == 0)
        {
            return true;
        }
        var deadline = Deadline.Start(timeout);
        _waitingJoiners++;
        try
        {
            do
            {
                var remaining = deadline.Remaining;
                if (remaining == TimeSpan.Zero)
                {
                    return false;
                }
                await _allTasksDone.WaitCore(scope.Owner!, remaining, sync, cancellationToken).ConfigureAwait(false);
            }
            while (_unfinishedTasks > 0);
        }
        finally
        {
            _waitingJoiners--;
        }
        return true;
    }

    private static async ValueTask AwaitPut(ValueTask<Outcome> pending, TimeSpan timeout)
    {
        FinishPut(await pending.ConfigureAwait(false), timeout);
    }

    private static async ValueTask<bool> AwaitTryPut(ValueTask<Outcome> pending) =>
        FinishTryPut(await pending.ConfigureAwait(false));

    private static async ValueTask<(bool Taken, T? Item)> AwaitTryGet(ValueTask<(Outcome Outcome, T Item)> pending)
    {
        var (outcome, item) = await pending.ConfigureAwait(false);
        return (FinishTryGet(outcome), item);
    }

    private static async ValueTask<T> AwaitGet(ValueTask<(Outcome Outcome, T Item)> pending, TimeSpan timeout)
    {
        var (outcome, item) = await pending.ConfigureAwait(false);
        FinishGet(outcome, timeout);
        return item;
    }
}
