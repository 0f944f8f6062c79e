using Concur.Ipc.Managers.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A list held by a <see cref="ProcessManager"/>, reached from any process: Python's <c>manager.list()</c> proxy.
/// Get one from <see cref="ProcessManager.List{T}"/>; pass it to children and pool tasks like any value.
/// </summary>
/// <remarks>
/// Every member is a round trip to the manager (use <see cref="AddRange"/> and <see cref="ToArray"/> in loops), each
/// one atomic. Items are copies: changing an item you got changes nothing in the manager until you store it again
/// (see <see cref="ManagerDict{TKey, TValue}"/>). An item that cannot travel is refused with an
/// <see cref="ArgumentException"/> naming its type, before anything is sent. When the manager has gone, every member
/// throws an <see cref="IOException"/> naming its address. Thread-safe.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ManagerList<T>
{
    private readonly ManagerHandle _handle;

    internal ManagerList(ManagerHandle handle) => _handle = handle;

    /// <summary>Gets the number of items (Python's <c>len(l)</c>).</summary>
    /// <exception cref="IOException">The manager is gone.</exception>
    public int Count => SyncOrAsync.RunSync(CountCore(sync: true, default));

    /// <summary>Gets (a copy of) or replaces the item at <paramref name="index"/>.</summary>
    /// <param name="index">The index, from 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the list.</exception>
    /// <exception cref="ArgumentException">The item cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public T this[int index]
    {
        get => SyncOrAsync.RunSync(GetCore(index, sync: true, default));
        set => SyncOrAsync.RunSync(IndexedCore(ManagerOp.ListSet, index, value, sync: true, default));
    }

    /// <summary>Appends <paramref name="item"/> (Python's <c>append</c>).</summary>
    /// <param name="item">The item.</param>
    /// <returns>Its index.</returns>
    /// <exception cref="ArgumentException">The item cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public int Add(T item) => SyncOrAsync.RunSync(AddCore(item, sync: true, default));

    /// <summary>Appends every item in one round trip (Python's <c>extend</c>).</summary>
    /// <param name="items">The items.</param>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An item cannot travel (nothing was sent).</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public void AddRange(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        SyncOrAsync.RunSync(_handle.CallCore(
            ManagerOp.ListAddRange,
            items.ToArray(),
            static (FrameBuilder r, in T[] a) =>
            {
                r.WriteInt32(a.Length);
                foreach (T item in a)
                {
                    ManagerCodec.WriteBlob(r, item, "items");
                }
            },
            static (ManagerStatus s, ref FrameReader a, in T[] _) => 0,
            sync: true,
            default));
    }

    /// <summary>Inserts <paramref name="item"/> at <paramref name="index"/>.</summary>
    /// <param name="index">The index, from 0 to <see cref="Count"/>.</param>
    /// <param name="item">The item.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the list.</exception>
    /// <exception cref="ArgumentException">The item cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public void Insert(int index, T item) => SyncOrAsync.RunSync(IndexedCore(ManagerOp.ListInsert, index, item, sync: true, default));

    /// <summary>Removes the item at <paramref name="index"/> and returns it (Python's <c>pop(i)</c>).</summary>
    /// <param name="index">The index.</param>
    /// <returns>The item removed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the list.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public T RemoveAt(int index) => SyncOrAsync.RunSync(_handle.CallCore(
        ManagerOp.ListRemoveAt,
        (index, this),
        static (FrameBuilder r, in (int Index, ManagerList<T> Self) a) => r.WriteInt32(a.Index),
        static (ManagerStatus s, ref FrameReader a, in (int Index, ManagerList<T> Self) x) => x.Self.ReadItem(s, ref a, x.Index),
        sync: true,
        default));

    /// <summary>Removes every item.</summary>
    /// <exception cref="IOException">The manager is gone.</exception>
    public void Clear() => SyncOrAsync.RunSync(_handle.CallCore<int, int>(
        ManagerOp.ListClear, 0, null, static (ManagerStatus s, ref FrameReader a, in int _) => 0, sync: true, default));

    /// <summary>Gets a copy of the whole list in one round trip (Python's <c>l[:]</c>).</summary>
    /// <returns>The items.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public T[] ToArray() => SyncOrAsync.RunSync(ItemsCore(sync: true, default));

    /// <summary>Asynchronously appends <paramref name="item"/>.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Its index.</returns>
    /// <exception cref="ArgumentException">The item cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public ValueTask<int> AddAsync(T item, CancellationToken cancellationToken = default) => AddCore(item, sync: false, cancellationToken);

    /// <summary>Asynchronously gets a copy of the item at <paramref name="index"/>.</summary>
    /// <param name="index">The index.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The item.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the list.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public ValueTask<T> GetAsync(int index, CancellationToken cancellationToken = default) => GetCore(index, sync: false, cancellationToken);

    /// <summary>Asynchronously gets the number of items.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The number of items.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public ValueTask<int> CountAsync(CancellationToken cancellationToken = default) => CountCore(sync: false, cancellationToken);

    /// <summary>Asynchronously gets a copy of the whole list.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The items.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public ValueTask<T[]> ToArrayAsync(CancellationToken cancellationToken = default) => ItemsCore(sync: false, cancellationToken);

    /// <summary>Describes the proxy (no round trip).</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"ManagerList<{Serialization.CSharpName.Of(typeof(T))}> ({_handle.Description})";

    private T ReadItem(ManagerStatus status, ref FrameReader answer, int index) => status == ManagerStatus.Ok
        ? ManagerCodec.Read<T>(answer.ReadBlob(), _handle)
        : throw OutOfRange(index, answer.ReadInt32());

    private ArgumentOutOfRangeException OutOfRange(int index, int count) =>
        new(nameof(index), index, $"Index {index} is outside {_handle.Description}, which has {count} items.");

    private ValueTask<int> AddCore(T item, bool sync, CancellationToken cancellationToken) => _handle.CallCore(
        ManagerOp.ListAdd,
        item,
        static (FrameBuilder r, in T a) => ManagerCodec.WriteBlob(r, a, "item"),
        static (ManagerStatus s, ref FrameReader a, in T _) => a.ReadInt32(),
        sync,
        cancellationToken);

    private ValueTask<T> GetCore(int index, bool sync, CancellationToken cancellationToken) => _handle.CallCore(
        ManagerOp.ListGet,
        (index, this),
        static (FrameBuilder r, in (int Index, ManagerList<T> Self) a) => r.WriteInt32(a.Index),
        static (ManagerStatus s, ref FrameReader a, in (int Index, ManagerList<T> Self) x) => x.Self.ReadItem(s, ref a, x.Index),
        sync,
        cancellationToken);

    private ValueTask<int> IndexedCore(ManagerOp op, int index, T item, bool sync, CancellationToken cancellationToken) => _handle.CallCore(
        op,
        (index, item, this),
        static (FrameBuilder r, in (int Index, T Item, ManagerList<T> Self) a) =>
        {
            r.WriteInt32(a.Index);
            ManagerCodec.WriteBlob(r, a.Item, "item");
        },
        static (ManagerStatus s, ref FrameReader a, in (int Index, T Item, ManagerList<T> Self) x) =>
            s == ManagerStatus.Ok ? 0 : throw x.Self.OutOfRange(x.Index, a.ReadInt32()),
        sync,
        cancellationToken);

    private ValueTask<int> CountCore(bool sync, CancellationToken cancellationToken) => _handle.CallCore<int, int>(
        ManagerOp.ListCount, 0, null, static (ManagerStatus s, ref FrameReader a, in int _) => a.ReadInt32(), sync, cancellationToken);

    private ValueTask<T[]> ItemsCore(bool sync, CancellationToken cancellationToken) => _handle.CallCore(
        ManagerOp.ListItems,
        this,
        null,
        static (ManagerStatus s, ref FrameReader a, in ManagerList<T> self) =>
        {
            int count = a.ReadCount(minElementSize: 4);
            var items = new T[count];
            for (int i = 0; i < count; i++)
            {
                items[i] = ManagerCodec.Read<T>(a.ReadBlob(), self._handle);
            }
            return items;
        },
        sync,
        cancellationToken);
}
