using Concur.Ipc.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A <see cref="ProcessQueue{T}"/> that counts unfinished items across processes (Python's
/// <c>multiprocessing.JoinableQueue</c>): consumers in any process mark each item done with <see cref="TaskDone"/>,
/// and <see cref="Join(CancellationToken)"/> in any process returns when every item put has been marked.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <remarks>
/// The count lives in the queue's shared memory with the items, updated by single atomic operations, so a process
/// killed in <see cref="TaskDone"/> either counted its item or did not. An item taken by a process that dies before
/// marking it stays unfinished, as in Python: <see cref="Join(TimeSpan, CancellationToken)"/> with a timeout lets the
/// waiter notice.
/// </remarks>
/// <example>
/// <code>
/// using var jobs = new JoinableProcessQueue&lt;int&gt;();
/// var worker = new ChildProcess(() =&gt;
/// {
///     while (true)
///     {
///         int job = jobs.Get();
///         Console.WriteLine(job * job);
///         jobs.TaskDone();
///     }
/// }) { Daemon = true };
/// worker.Start();
/// for (var i = 0; i &lt; 10; i++)
/// {
///     jobs.Put(i);
/// }
/// jobs.Join();    // every item has been handled
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class JoinableProcessQueue<T> : ProcessQueue<T>
{
    /// <summary>Creates a joinable queue in new shared memory.</summary>
    /// <param name="maxSize">The most items the queue holds before puts wait; 0 (or less) for no bound.</param>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> cannot travel between processes.</exception>
    public JoinableProcessQueue(int maxSize = 0)
        : base(QueueRing.Create(Math.Max(maxSize, 0), QueueKinds.Joinable))
    {
    }

    /// <summary>Wraps a queue attached from another process.</summary>
    internal JoinableProcessQueue(QueueRing ring)
        : base(ring)
    {
    }

    /// <summary>Gets the number of items put and not yet marked done, by all processes (Python's <c>unfinished_tasks</c>).</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public long UnfinishedTaskCount => Ring.Unfinished;

    /// <summary>Marks one item taken from the queue as handled (Python's <c>task_done()</c>).</summary>
    /// <exception cref="InvalidOperationException">Called more times than items were put (Python's <c>ValueError</c>).</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public void TaskDone() => Ring.TaskDone();

    /// <summary>Waits until every item put, by any process, has been marked done (Python's <c>join()</c>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public void Join(CancellationToken cancellationToken = default) =>
        SyncOrAsync.RunSync(Ring.JoinAsync(sync: true, Timeout.InfiniteTimeSpan, cancellationToken));

    /// <summary>Waits up to <paramref name="timeout"/> until every item put has been marked done.</summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> only looks, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if every item was done; <see langword="false"/> if the time ran out first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public bool Join(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return SyncOrAsync.RunSync(Ring.JoinAsync(sync: true, timeout, cancellationToken));
    }

    /// <summary>Asynchronously waits until every item put has been marked done.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when every item is done.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public async Task JoinAsync(CancellationToken cancellationToken = default) =>
        await Ring.JoinAsync(sync: false, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);

    /// <summary>Asynchronously waits up to <paramref name="timeout"/> until every item put has been marked done.</summary>
    /// <param name="timeout">The most time to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if every item was done; <see langword="false"/> if the time ran out first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public async Task<bool> JoinAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return await Ring.JoinAsync(sync: false, timeout, cancellationToken).ConfigureAwait(false);
    }
}
