using System.Diagnostics.CodeAnalysis;
using Concur.Ipc.Managers.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A queue held by a <see cref="ProcessManager"/>, reached from any process and over TCP from other machines:
/// Python's <c>manager.Queue()</c> proxy. Get one from <see cref="ProcessManager.Queue{T}"/>. On one machine,
/// <see cref="ProcessQueue{T}"/> (shared memory, no server) is much faster; this one is for processes that reach each
/// other only through the manager's address.
/// </summary>
/// <remarks>
/// A blocked <see cref="Get()"/> or <see cref="Put"/> waits in the manager; a client killed while waiting takes no
/// item (the manager sees its connection close within 100 ms and stops waiting for it). Items that cannot travel are
/// refused with an <see cref="ArgumentException"/> naming the type, before anything is sent. When the manager has
/// gone, every member throws an <see cref="IOException"/> naming its address, also one that was waiting.
/// Thread-safe.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ManagerQueue<T>
{
    private readonly ManagerHandle _handle;

    internal ManagerQueue(ManagerHandle handle) => _handle = handle;

    /// <summary>Gets the number of items (Python's <c>qsize()</c>).</summary>
    /// <exception cref="IOException">The manager is gone.</exception>
    public int Count => SyncOrAsync.RunSync(_handle.CallCore<int, int>(
        ManagerOp.QueueCount, 0, null, static (ManagerStatus s, ref FrameReader a, in int _) => a.ReadInt32(), sync: true, default));

    /// <summary>Puts <paramref name="item"/>, waiting for room if the queue is bounded and full.</summary>
    /// <param name="item">The item.</param>
    /// <exception cref="ArgumentException">The item cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public void Put(T item) => SyncOrAsync.RunSync(PutCore(item, Timeout.InfiniteTimeSpan, sync: true, default));

    /// <summary>Puts <paramref name="item"/>, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <param name="item">The item.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <returns>Whether the item was put.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="ArgumentException">The item cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public bool TryPut(T item, TimeSpan timeout) => SyncOrAsync.RunSync(PutCore(item, timeout, sync: true, default));

    /// <summary>Takes the next item, waiting until there is one.</summary>
    /// <returns>The item.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public T Get() => Get(Timeout.InfiniteTimeSpan);

    /// <summary>Takes the next item, waiting up to <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <returns>The item.</returns>
    /// <exception cref="QueueEmptyException">No item came within <paramref name="timeout"/> (Python's <c>queue.Empty</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public T Get(TimeSpan timeout)
    {
        var (taken, item) = SyncOrAsync.RunSync(GetCore(timeout, sync: true, default));
        return taken ? item! : throw new QueueEmptyException();
    }

    /// <summary>Takes the next item if one comes within <paramref name="timeout"/>.</summary>
    /// <param name="item">The item, or the default.</param>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to look without waiting.</param>
    /// <returns>Whether an item was taken.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public bool TryGet([MaybeNullWhen(false)] out T item, TimeSpan timeout)
    {
        (bool taken, item) = SyncOrAsync.RunSync(GetCore(timeout, sync: true, default));
        return taken;
    }

    /// <summary>Asynchronously puts <paramref name="item"/>, waiting for room.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Cancels the wait (the connection it used is then closed, and the manager stops waiting).</param>
    /// <returns>A task that completes when the item is in.</returns>
    /// <exception cref="ArgumentException">The item cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public async ValueTask PutAsync(T item, CancellationToken cancellationToken = default) =>
        await PutCore(item, Timeout.InfiniteTimeSpan, sync: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Asynchronously takes the next item, waiting until there is one.</summary>
    /// <param name="cancellationToken">Cancels the wait (the connection it used is then closed, and the manager stops waiting).</param>
    /// <returns>The item.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public async ValueTask<T> GetAsync(CancellationToken cancellationToken = default) =>
        (await GetCore(Timeout.InfiniteTimeSpan, sync: false, cancellationToken).ConfigureAwait(false)).Item!;

    /// <summary>Describes the proxy (no round trip).</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"ManagerQueue<{Serialization.CSharpName.Of(typeof(T))}> ({_handle.Description})";

    private static int Milliseconds(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        return (int)Math.Min(int.MaxValue - 1, Math.Ceiling(timeout.TotalMilliseconds));
    }

    private ValueTask<bool> PutCore(T item, TimeSpan timeout, bool sync, CancellationToken cancellationToken) => _handle.CallCore(
        ManagerOp.QueuePut,
        (item, Milliseconds(timeout)),
        static (FrameBuilder r, in (T Item, int Timeout) a) =>
        {
            ManagerCodec.WriteBlob(r, a.Item, "item");
            r.WriteInt32(a.Timeout);
        },
        static (ManagerStatus s, ref FrameReader a, in (T, int) _) => s == ManagerStatus.Ok,
        sync,
        cancellationToken);

    private ValueTask<(bool Taken, T? Item)> GetCore(TimeSpan timeout, bool sync, CancellationToken cancellationToken) => _handle.CallCore(
        ManagerOp.QueueGet,
        (Milliseconds(timeout), this),
        static (FrameBuilder r, in (int Timeout, ManagerQueue<T> Self) a) => r.WriteInt32(a.Timeout),
        static (ManagerStatus s, ref FrameReader a, in (int Timeout, ManagerQueue<T> Self) x) =>
            s == ManagerStatus.Ok ? (true, ManagerCodec.Read<T>(a.ReadBlob(), x.Self._handle)) : (false, default(T)),
        sync,
        cancellationToken);
}
