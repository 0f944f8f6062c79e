using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A queue that any number of processes put into and get from (Python's <c>multiprocessing.Queue</c>): items travel
/// serialized by their declared type, through shared memory, and no process's death can block or corrupt it.
/// </summary>
/// <typeparam name="T">The type of the items, under the rules of pool tasks: anything a <see cref="ProcessPoolExecutor"/> task can take.</typeparam>
/// <remarks>
/// <para>
/// Pass the queue to a <see cref="ChildProcess"/> (captured by its lambda, as its argument or as a field of a
/// subclass) or to a pool task, and both processes use the same queue. The queue lives in anonymous shared memory
/// while any process has it open; <see cref="Dispose"/> closes this process's view only. Nothing is ever named in the
/// file system, so nothing is left behind, whatever happens to the processes.
/// </para>
/// <para>
/// What CPython's queue gets wrong, this one gets right:
/// <list type="bullet">
/// <item><description><see cref="Put(T, CancellationToken)"/> serializes in the caller, so a value that cannot travel fails there, and returns when the item is in the queue (no feeder thread): a process that exits right after loses nothing, and joining it never deadlocks.</description></item>
/// <item><description>A process killed at any point, holding any internal lock, in the middle of any item, never blocks the others for more than tens of milliseconds, and every item arrives whole or not at all.</description></item>
/// <item><description><see cref="Count"/> is exact (items put and not yet taken), on every system.</description></item>
/// </list>
/// </para>
/// <para>
/// A queue with a <see cref="MaxSize"/> of 0 (or less) is unbounded: it holds up to 1 GiB of unread items, taking
/// memory as items are put and returning it as they are taken, and puts wait only beyond that. An item may be up to
/// 128 MiB once serialized. Items from one producer come out in the order it put them. Every blocking member takes a
/// timeout and a <see cref="CancellationToken"/> and has an asynchronous twin; a cancelled or timed-out call changes
/// nothing.
/// </para>
/// <para>Linux only today (x64 and Arm64); elsewhere the constructor throws <see cref="PlatformNotSupportedException"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// using var queue = new ProcessQueue&lt;string&gt;();
/// var writer = new ChildProcess(() =&gt;
/// {
///     foreach (var word in new[] { "A", "B", "C" })
///     {
///         queue.Put(word);
///     }
/// });
/// writer.Start();
/// writer.Join();
/// for (var i = 0; i &lt; 3; i++)
/// {
///     Console.WriteLine(queue.Get());
/// }
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public partial class ProcessQueue<T> : IDisposable
{
    private readonly QueueRing _ring;

    /// <summary>Creates a queue in new shared memory.</summary>
    /// <param name="maxSize">The most items the queue holds before puts wait; 0 (or less) for no bound.</param>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> cannot travel between processes.</exception>
    public ProcessQueue(int maxSize = 0)
        : this(QueueRing.Create(Math.Max(maxSize, 0), QueueKinds.Plain))
    {
    }

    /// <summary>Wraps a queue ring: a new one, or one attached from another process.</summary>
    internal ProcessQueue(QueueRing ring)
    {
        try
        {
            MessageCodec.ThrowIfUnreceivable<T>(MessageCodec.ThroughQueue);
        }
        catch
        {
            ring.Dispose();
            throw;
        }
        _ring = ring;
    }

    /// <summary>Gets the most items the queue holds before puts wait, or 0 when it is unbounded (Python's <c>maxsize</c>).</summary>
    public int MaxSize => _ring.MaxSize;

    /// <summary>Gets the number of items put and not yet taken, by all processes (Python's <c>qsize()</c>, exact and on every system).</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public int Count => _ring.Count;

    /// <summary>Gets a value indicating whether the queue holds no item right now (Python's <c>empty()</c>).</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Gets a value indicating whether a bounded queue holds <see cref="MaxSize"/> items right now (Python's <c>full()</c>).</summary>
    public bool IsFull => MaxSize > 0 && Count >= MaxSize;

    /// <summary>Gets the engine, for handle passing and tests.</summary>
    internal QueueRing Ring => _ring;

    /// <summary>Puts <paramref name="item"/> into the queue, waiting while a bounded queue is full (Python's <c>put(item)</c>).</summary>
    /// <param name="item">The item; it is serialized here, so a value that cannot travel fails here.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <exception cref="ArgumentException"><paramref name="item"/> cannot travel between processes (the message says why), or is larger than 128 MiB serialized.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public void Put(T item, CancellationToken cancellationToken = default) =>
        SyncOrAsync.RunSync(PutCoreAsync(sync: true, item, Timeout.InfiniteTimeSpan, throwWhenFull: true, cancellationToken));

    /// <summary>Puts <paramref name="item"/> into the queue, waiting up to <paramref name="timeout"/> for room (Python's <c>put(item, timeout=...)</c>).</summary>
    /// <param name="item">The item; it is serialized here, so a value that cannot travel fails here.</param>
    /// <param name="timeout">The most time to wait for room: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <exception cref="ArgumentException"><paramref name="item"/> cannot travel between processes, or is larger than 128 MiB serialized.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="QueueFullException">The queue stayed full for the whole <paramref name="timeout"/>; the item was not added.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public void Put(T item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        SyncOrAsync.RunSync(PutCoreAsync(sync: true, item, timeout, throwWhenFull: true, cancellationToken));
    }

    /// <summary>Puts <paramref name="item"/> into the queue if there is room now (Python's <c>put_nowait</c>, returning instead of raising <c>Full</c>).</summary>
    /// <param name="item">The item; it is serialized here, so a value that cannot travel fails here.</param>
    /// <returns><see langword="true"/> if the item was added; <see langword="false"/> if the queue is full.</returns>
    /// <exception cref="ArgumentException"><paramref name="item"/> cannot travel between processes, or is larger than 128 MiB serialized.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public bool TryPut(T item) =>
        SyncOrAsync.RunSync(PutCoreAsync(sync: true, item, TimeSpan.Zero, throwWhenFull: false, CancellationToken.None));

    /// <summary>Puts <paramref name="item"/> into the queue, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <param name="item">The item; it is serialized here, so a value that cannot travel fails here.</param>
    /// <param name="timeout">The most time to wait for room: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <returns><see langword="true"/> if the item was added; <see langword="false"/> if the queue stayed full for the whole timeout.</returns>
    /// <exception cref="ArgumentException"><paramref name="item"/> cannot travel between processes, or is larger than 128 MiB serialized.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public bool TryPut(T item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return SyncOrAsync.RunSync(PutCoreAsync(sync: true, item, timeout, throwWhenFull: false, cancellationToken));
    }

    /// <summary>Removes and returns the next item, waiting while the queue is empty (Python's <c>get()</c>).</summary>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>The next item.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    /// <exception cref="InvalidDataException">The item could not be read as <typeparamref name="T"/> (another process put another type); it was removed.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public T Get(CancellationToken cancellationToken = default) =>
        SyncOrAsync.RunSync(GetCoreAsync(sync: true, Timeout.InfiniteTimeSpan, throwWhenEmpty: true, cancellationToken)).Item!;

    /// <summary>Removes and returns the next item, waiting up to <paramref name="timeout"/> for one (Python's <c>get(timeout=...)</c>).</summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>The next item.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="QueueEmptyException">The queue stayed empty for the whole <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    /// <exception cref="InvalidDataException">The item could not be read as <typeparamref name="T"/>; it was removed.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public T Get(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return SyncOrAsync.RunSync(GetCoreAsync(sync: true, timeout, throwWhenEmpty: true, cancellationToken)).Item!;
    }

    /// <summary>Removes the next item if there is one now (Python's <c>get_nowait</c>, returning instead of raising <c>Empty</c>).</summary>
    /// <param name="item">The item removed, or the default value when there was none.</param>
    /// <returns><see langword="true"/> if an item was removed; <see langword="false"/> if the queue is empty.</returns>
    /// <exception cref="InvalidDataException">The item could not be read as <typeparamref name="T"/>; it was removed.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public bool TryGet([MaybeNullWhen(false)] out T item)
    {
        (bool taken, item) = SyncOrAsync.RunSync(GetCoreAsync(sync: true, TimeSpan.Zero, throwWhenEmpty: false, CancellationToken.None));
        return taken;
    }

    /// <summary>Removes the next item, waiting up to <paramref name="timeout"/> for one.</summary>
    /// <param name="item">The item removed, or the default value when the time ran out.</param>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns><see langword="true"/> if an item was removed; <see langword="false"/> if the queue stayed empty for the whole timeout.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    /// <exception cref="InvalidDataException">The item could not be read as <typeparamref name="T"/>; it was removed.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public bool TryGet([MaybeNullWhen(false)] out T item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        (bool taken, item) = SyncOrAsync.RunSync(GetCoreAsync(sync: true, timeout, throwWhenEmpty: false, cancellationToken));
        return taken;
    }

    /// <summary>Asynchronously puts <paramref name="item"/> into the queue, waiting while a bounded queue is full.</summary>
    /// <param name="item">The item; it is serialized before this method returns its task, so a value that cannot travel fails here.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <returns>A task that completes when the item is in the queue.</returns>
    /// <exception cref="ArgumentException"><paramref name="item"/> cannot travel between processes, or is larger than 128 MiB serialized.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public async ValueTask PutAsync(T item, CancellationToken cancellationToken = default) =>
        await PutCoreAsync(sync: false, item, Timeout.InfiniteTimeSpan, throwWhenFull: true, cancellationToken).ConfigureAwait(false);

    /// <summary>Asynchronously puts <paramref name="item"/> into the queue, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <param name="item">The item; it is serialized before this method returns its task.</param>
    /// <param name="timeout">The most time to wait for room: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <returns>A task that completes when the item is in the queue.</returns>
    /// <exception cref="ArgumentException"><paramref name="item"/> cannot travel between processes, or is larger than 128 MiB serialized.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="QueueFullException">The queue stayed full for the whole <paramref name="timeout"/>; the item was not added.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public async ValueTask PutAsync(T item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        await PutCoreAsync(sync: false, item, timeout, throwWhenFull: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asynchronously puts <paramref name="item"/> into the queue, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <param name="item">The item; it is serialized before this method returns its task.</param>
    /// <param name="timeout">The most time to wait for room: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <returns><see langword="true"/> if the item was added; <see langword="false"/> if the queue stayed full for the whole timeout.</returns>
    /// <exception cref="ArgumentException"><paramref name="item"/> cannot travel between processes, or is larger than 128 MiB serialized.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the item was not added.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public async ValueTask<bool> TryPutAsync(T item, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return await PutCoreAsync(sync: false, item, timeout, throwWhenFull: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asynchronously removes and returns the next item, waiting while the queue is empty.</summary>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>The next item.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    /// <exception cref="InvalidDataException">The item could not be read as <typeparamref name="T"/>; it was removed.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public async ValueTask<T> GetAsync(CancellationToken cancellationToken = default) =>
        (await GetCoreAsync(sync: false, Timeout.InfiniteTimeSpan, throwWhenEmpty: true, cancellationToken).ConfigureAwait(false)).Item!;

    /// <summary>Asynchronously removes and returns the next item, waiting up to <paramref name="timeout"/> for one.</summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>The next item.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="QueueEmptyException">The queue stayed empty for the whole <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    /// <exception cref="InvalidDataException">The item could not be read as <typeparamref name="T"/>; it was removed.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public async ValueTask<T> GetAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return (await GetCoreAsync(sync: false, timeout, throwWhenEmpty: true, cancellationToken).ConfigureAwait(false)).Item!;
    }

    /// <summary>Asynchronously removes the next item, waiting up to <paramref name="timeout"/> for one.</summary>
    /// <param name="timeout">The most time to wait: <see cref="TimeSpan.Zero"/> does not wait, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>Whether an item was taken, and the item.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    /// <exception cref="InvalidDataException">The item could not be read as <typeparamref name="T"/>; it was removed.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public async ValueTask<(bool Taken, T? Item)> TryGetAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return await GetCoreAsync(sync: false, timeout, throwWhenEmpty: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes this process's view of the queue (Python's <c>close()</c>): blocked calls of this process end with
    /// <see cref="ObjectDisposedException"/>. Items already put stay in the queue for the other processes; the shared
    /// memory is freed when the last process closes its view or exits.
    /// </summary>
    public void Dispose()
    {
        HandleSharer.Revoke(this); // A process that receives this queue later is told it was closed here.
        _ring.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Describes the queue as CPython's <c>repr</c> would, with its size.</summary>
    /// <returns>For example <c>ProcessQueue&lt;int&gt;(Count=3, MaxSize=10)</c>.</returns>
    public override string ToString()
    {
        string name = GetType().Name;
        name = name[..name.IndexOf('`', StringComparison.Ordinal)];
        try
        {
            return $"{name}<{typeof(T).Name}>(Count={Count}, MaxSize={MaxSize})";
        }
        catch (ObjectDisposedException)
        {
            return $"{name}<{typeof(T).Name}>(disposed)";
        }
    }

    private async ValueTask<bool> PutCoreAsync(bool sync, T item, TimeSpan timeout, bool throwWhenFull, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var buffer = new MessageBuffer();
        ReadOnlyMemory<byte> body = MessageCodec.Encode(buffer, item, int.MaxValue, MessageCodec.ThroughQueue)[MessageFraming.ShortHeader..];
        bool added = await _ring.PutAsync(sync, body, timeout, cancellationToken).ConfigureAwait(false);
        if (!added && throwWhenFull)
        {
            throw new QueueFullException(
                MaxSize > 0
                    ? $"The process queue stayed full ({MaxSize:N0} items) for the whole timeout of {timeout}; the item was not added."
                    : $"The process queue held 1 GiB of unread items for the whole timeout of {timeout}; the item was not added.");
        }
        return added;
    }

    private async ValueTask<(bool Taken, T? Item)> GetCoreAsync(bool sync, TimeSpan timeout, bool throwWhenEmpty, CancellationToken cancellationToken)
    {
        QueueRing.Message? message = await _ring.GetAsync(sync, timeout, cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return throwWhenEmpty
                ? throw new QueueEmptyException($"The process queue stayed empty for the whole timeout of {timeout}.")
                : (false, default);
        }
        try
        {
            return (true, MessageCodec.Decode<T>(message.Body, $"Process {message.Producer}", MessageCodec.ThroughQueue));
        }
        finally
        {
            message.Return();
        }
    }
}
