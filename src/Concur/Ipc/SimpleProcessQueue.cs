using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Concur.Ipc.Internal;

namespace Concur;

/// <summary>
/// The smallest queue between processes (Python's <c>multiprocessing.SimpleQueue</c>): unbounded, with
/// <see cref="Put"/>, <see cref="Get"/>, <see cref="TryGet"/> and <see cref="IsEmpty"/>. It is a
/// <see cref="ProcessQueue{T}"/> underneath, with the same guarantees (items whole or not at all, no process's death
/// blocks the others); use <see cref="ProcessQueue{T}"/> for a bound, timeouts and counts.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class SimpleProcessQueue<T> : IDisposable, IPassedByHandle<SimpleProcessQueue<T>>
{
    private readonly ProcessQueue<T> _queue;

    /// <summary>Creates a queue in new shared memory.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> cannot travel between processes.</exception>
    public SimpleProcessQueue()
        : this(QueueRing.Create(0, QueueKinds.Simple))
    {
    }

    /// <summary>Wraps a queue ring: a new one, or one attached from another process.</summary>
    internal SimpleProcessQueue(QueueRing ring) => _queue = new ProcessQueue<T>(ring);

    /// <summary>Gets a value indicating whether the queue holds no item right now (Python's <c>empty()</c>).</summary>
    public bool IsEmpty => _queue.IsEmpty;

    /// <summary>Gets the engine, for handle passing and tests.</summary>
    internal QueueRing Ring => _queue.Ring;

    /// <summary>Puts <paramref name="item"/> into the queue (Python's <c>put(item)</c>); returns when it is in the queue.</summary>
    /// <param name="item">The item; it is serialized here, so a value that cannot travel fails here.</param>
    /// <exception cref="ArgumentException"><paramref name="item"/> cannot travel between processes, or is larger than 128 MiB serialized.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public void Put(T item) => _queue.Put(item);

    /// <summary>Removes and returns the next item, waiting while the queue is empty (Python's <c>get()</c>).</summary>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>The next item.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public T Get(CancellationToken cancellationToken = default) => _queue.Get(cancellationToken);

    /// <summary>Removes the next item if there is one now.</summary>
    /// <param name="item">The item removed, or the default value when there was none.</param>
    /// <returns><see langword="true"/> if an item was removed.</returns>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public bool TryGet([MaybeNullWhen(false)] out T item) => _queue.TryGet(out item);

    /// <summary>Asynchronously removes and returns the next item, waiting while the queue is empty.</summary>
    /// <param name="cancellationToken">Stops waiting; nothing is then removed.</param>
    /// <returns>The next item.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was removed.</exception>
    /// <exception cref="ObjectDisposedException">This process disposed of the queue.</exception>
    public ValueTask<T> GetAsync(CancellationToken cancellationToken = default) => _queue.GetAsync(cancellationToken);

    /// <summary>Gets the queue's shared memory, which another process receives when this queue is passed to it.</summary>
    System.Runtime.InteropServices.SafeHandle IPassedByHandle<SimpleProcessQueue<T>>.TransferHandle
    {
        get
        {
            _queue.Ring.ThrowIfDisposed();
            return _queue.Ring.Memory;
        }
    }

    /// <summary>Gets no state: a simple queue is all there is.</summary>
    byte[] IPassedByHandle<SimpleProcessQueue<T>>.TransferState => [];

    /// <summary>Closes this process's view of the queue (Python's <c>close()</c>); the other processes keep theirs.</summary>
    public void Dispose()
    {
        HandleSharer.Revoke(this);
        _queue.Dispose();
    }

    /// <summary>Maps the received shared memory as a simple queue.</summary>
    static SimpleProcessQueue<T> IPassedByHandle<SimpleProcessQueue<T>>.FromTransfer(Microsoft.Win32.SafeHandles.SafeFileHandle handle, ReadOnlySpan<byte> state) =>
        new(ProcessQueue<T>.AttachRing(handle, QueueKinds.Simple));

    /// <summary>Describes the queue.</summary>
    /// <returns>For example <c>SimpleProcessQueue&lt;int&gt;(Count=3)</c>.</returns>
    public override string ToString()
    {
        try
        {
            return $"SimpleProcessQueue<{typeof(T).Name}>(Count={_queue.Count})";
        }
        catch (ObjectDisposedException)
        {
            return $"SimpleProcessQueue<{typeof(T).Name}>(disposed)";
        }
    }
}
