using System.Diagnostics.CodeAnalysis;
using Concur.Ipc.Managers.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A dictionary held by a <see cref="ProcessManager"/>, reached from any process: Python's <c>manager.dict()</c>
/// proxy. Get one from <see cref="ProcessManager.Dict{TKey, TValue}"/>; pass it to children and pool tasks (captured,
/// as an argument or in a field) and they reach the same dictionary.
/// </summary>
/// <remarks>
/// <para>
/// <b>Every member is a round trip</b> to the manager's process (tens of microseconds on one machine): use the batch
/// members <see cref="Update"/> and <see cref="GetMany"/> in loops, and the atomic members rather than a read
/// followed by a write.
/// </para>
/// <para>
/// <b>Values are copies.</b> A get returns a new copy of the stored value; changing it changes nothing in the
/// manager until you store it again, as with Python's proxies:
/// <code>
/// var lists = manager.Dict&lt;string, List&lt;int&gt;&gt;();
/// lists["a"] = [1];
/// lists["a"].Add(2);          // changes a copy: lists["a"] is still [1]
/// List&lt;int&gt; a = lists["a"];
/// a.Add(2);
/// lists["a"] = a;             // now lists["a"] is [1, 2]
/// </code>
/// </para>
/// <para>
/// <b>Read-modify-write races.</b> <c>d[k] += 1</c> is a get and then a set: two processes doing it at once lose
/// increments, in Python as here. Use <see cref="ManagerDictExtensions.Increment{TKey}(ManagerDict{TKey, long}, TKey, long)"/>
/// (done in the manager, under its lock), <see cref="AddOrUpdate"/> (retries until no one changed the value in
/// between), <see cref="TryAdd"/>, <see cref="GetOrAdd"/> or <see cref="TryUpdate"/>; or guard the sequence with a
/// <see cref="ProcessLock"/>.
/// </para>
/// <para>
/// <b>Types.</b> Keys and values travel serialized by their declared types, as the arguments of a pool task; a
/// value that cannot travel is refused with an <see cref="ArgumentException"/> that names its type, before anything
/// is sent. The manager keeps them serialized: two keys are the same key when they serialize to the same bytes (so
/// keys of types whose equality is not their data, such as a class compared by reference, or sets whose order
/// varies, do not work as keys). Every process must use the same <typeparamref name="TKey"/> and
/// <typeparamref name="TValue"/> for the same dictionary; a named one checks this when it is opened.
/// </para>
/// <para>
/// <b>Failures.</b> When the manager's process has gone (shut down, its owner gone, killed), every member throws an
/// <see cref="IOException"/> that names the manager's address; nothing waits for ever. All members are thread-safe;
/// calls from several threads run in parallel, each on its own connection.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ManagerDict<TKey, TValue>
    where TKey : notnull
{
    private readonly ManagerHandle _handle;

    internal ManagerDict(ManagerHandle handle) => _handle = handle;

    /// <summary>Gets the number of entries (Python's <c>len(d)</c>).</summary>
    /// <exception cref="IOException">The manager is gone.</exception>
    public int Count => SyncOrAsync.RunSync(CountCore(sync: true, default));

    /// <summary>Gets a snapshot of the keys, in no particular order.</summary>
    /// <exception cref="IOException">The manager is gone.</exception>
    public IReadOnlyList<TKey> Keys => SyncOrAsync.RunSync(KeysCore(sync: true, default));

    internal ManagerHandle Handle => _handle;

    /// <summary>Gets or sets the value under <paramref name="key"/>; the value got is a copy.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">Getting a key that is not there.</exception>
    /// <exception cref="ArgumentException">The key or value cannot travel (nothing was sent).</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public TValue this[TKey key]
    {
        get
        {
            var (found, value) = SyncOrAsync.RunSync(TryGetCore(key, sync: true, default));
            return found ? value! : throw NotFound(key);
        }

        set => SyncOrAsync.RunSync(SetCore(key, value, sync: true, default));
    }

    /// <summary>Gets the value under <paramref name="key"/>, if it is there.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">A copy of the value, or the default.</param>
    /// <returns>Whether the key was there.</returns>
    /// <exception cref="ArgumentException">The key cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        (bool found, value) = SyncOrAsync.RunSync(TryGetCore(key, sync: true, default));
        return found;
    }

    /// <summary>Gets a value indicating whether <paramref name="key"/> is there (Python's <c>k in d</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it is there.</returns>
    /// <exception cref="ArgumentException">The key cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public bool ContainsKey(TKey key) => SyncOrAsync.RunSync(ContainsCore(key, sync: true, default));

    /// <summary>Removes <paramref name="key"/> (Python's <c>del d[k]</c>, without the error when it is absent).</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it was there.</returns>
    /// <exception cref="ArgumentException">The key cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public bool Remove(TKey key) => SyncOrAsync.RunSync(RemoveCore(key, sync: true, default)).Found;

    /// <summary>Removes <paramref name="key"/> and gives its value (Python's <c>d.pop(k)</c>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value that was there, or the default.</param>
    /// <returns>Whether it was there.</returns>
    /// <exception cref="ArgumentException">The key cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public bool TryRemove(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        (bool found, value) = SyncOrAsync.RunSync(RemoveCore(key, sync: true, default));
        return found;
    }

    /// <summary>Removes every entry.</summary>
    /// <exception cref="IOException">The manager is gone.</exception>
    public void Clear() => SyncOrAsync.RunSync(ClearCore(sync: true, default));

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> only if the key is absent, atomically.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether it was stored.</returns>
    /// <exception cref="ArgumentException">The key or value cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public bool TryAdd(TKey key, TValue value) => SyncOrAsync.RunSync(TryAddCore(key, value, sync: true, default));

    /// <summary>Returns the value under <paramref name="key"/>, storing <paramref name="value"/> first if the key is absent, atomically (Python's <c>d.setdefault(k, v)</c>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value to store if the key is absent.</param>
    /// <returns>A copy of the value now under the key.</returns>
    /// <exception cref="ArgumentException">The key or value cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public TValue GetOrAdd(TKey key, TValue value) => SyncOrAsync.RunSync(GetOrAddCore(key, value, sync: true, default));

    /// <summary>
    /// Replaces the value under <paramref name="key"/> with <paramref name="newValue"/> only if it is still
    /// <paramref name="comparisonValue"/> (the same serialized bytes), atomically: a compare-and-swap across processes.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="newValue">The new value.</param>
    /// <param name="comparisonValue">The value expected under the key.</param>
    /// <returns>Whether the value was replaced.</returns>
    /// <exception cref="ArgumentException">A key or value cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public bool TryUpdate(TKey key, TValue newValue, TValue comparisonValue) =>
        SyncOrAsync.RunSync(TryUpdateCore(key, newValue, comparisonValue, sync: true, default));

    /// <summary>
    /// Stores <paramref name="addValue"/> if the key is absent, or <paramref name="updateValueFactory"/>(the stored
    /// value) if it is there, atomically: the factory runs in this process and the result is stored only if no one
    /// changed the value in between, else it runs again on the new value (as <c>ConcurrentDictionary.AddOrUpdate</c>).
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="addValue">The value stored if the key is absent.</param>
    /// <param name="updateValueFactory">Computes the new value from the stored one; it may run more than once.</param>
    /// <returns>The value stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="updateValueFactory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key or value cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public TValue AddOrUpdate(TKey key, TValue addValue, Func<TValue, TValue> updateValueFactory)
    {
        ArgumentNullException.ThrowIfNull(updateValueFactory);
        while (true)
        {
            var (found, current, raw) = SyncOrAsync.RunSync(TryGetRawCore(key, sync: true, default));
            if (!found)
            {
                if (TryAdd(key, addValue))
                {
                    return addValue;
                }
                continue;
            }
            TValue updated = updateValueFactory(current!);
            if (SyncOrAsync.RunSync(TryUpdateRawCore(key, updated, raw!, sync: true, default)))
            {
                return updated;
            }
        }
    }

    /// <summary>Stores every pair in one round trip (Python's <c>d.update(...)</c>): the batch form of the setter for loops.</summary>
    /// <param name="items">The pairs; a key that appears twice keeps its last value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key or value cannot travel (nothing was sent).</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public void Update(IEnumerable<KeyValuePair<TKey, TValue>> items) => SyncOrAsync.RunSync(UpdateCore(items, sync: true, default));

    /// <summary>Gets the values of many keys in one round trip: the batch form of the getter for loops.</summary>
    /// <param name="keys">The keys.</param>
    /// <returns>The keys that are there, with copies of their values.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public Dictionary<TKey, TValue> GetMany(IEnumerable<TKey> keys) => SyncOrAsync.RunSync(GetManyCore(keys, sync: true, default));

    /// <summary>Gets a copy of the whole dictionary in one round trip (Python's <c>d.copy()</c>).</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public Dictionary<TKey, TValue> ToDictionary() => SyncOrAsync.RunSync(ItemsCore(sync: true, default));

    /// <summary>Asynchronously gets the value under <paramref name="key"/>, as the indexer.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait (the connection it used is then closed).</param>
    /// <returns>A copy of the value.</returns>
    /// <exception cref="KeyNotFoundException">The key is not there.</exception>
    /// <exception cref="ArgumentException">The key cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public async ValueTask<TValue> GetAsync(TKey key, CancellationToken cancellationToken = default)
    {
        var (found, value) = await TryGetCore(key, sync: false, cancellationToken).ConfigureAwait(false);
        return found ? value! : throw NotFound(key);
    }

    /// <summary>Asynchronously gets the value under <paramref name="key"/>, if it is there.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the key was there, and a copy of its value.</returns>
    /// <exception cref="ArgumentException">The key cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public ValueTask<(bool Found, TValue? Value)> TryGetValueAsync(TKey key, CancellationToken cancellationToken = default) =>
        TryGetCore(key, sync: false, cancellationToken);

    /// <summary>Asynchronously stores <paramref name="value"/> under <paramref name="key"/>, as the indexer.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    /// <exception cref="ArgumentException">The key or value cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public async ValueTask SetAsync(TKey key, TValue value, CancellationToken cancellationToken = default) =>
        await SetCore(key, value, sync: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Asynchronously removes <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether it was there.</returns>
    /// <exception cref="ArgumentException">The key cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public async ValueTask<bool> RemoveAsync(TKey key, CancellationToken cancellationToken = default) =>
        (await RemoveCore(key, sync: false, cancellationToken).ConfigureAwait(false)).Found;

    /// <summary>Asynchronously gets the number of entries.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The number of entries.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public ValueTask<int> CountAsync(CancellationToken cancellationToken = default) => CountCore(sync: false, cancellationToken);

    /// <summary>Asynchronously stores every pair in one round trip, as <see cref="Update"/>.</summary>
    /// <param name="items">The pairs.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when they are stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key or value cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public async ValueTask UpdateAsync(IEnumerable<KeyValuePair<TKey, TValue>> items, CancellationToken cancellationToken = default) =>
        await UpdateCore(items, sync: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Asynchronously gets the values of many keys in one round trip, as <see cref="GetMany"/>.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The keys that are there, with copies of their values.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public ValueTask<Dictionary<TKey, TValue>> GetManyAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default) =>
        GetManyCore(keys, sync: false, cancellationToken);

    /// <summary>Asynchronously gets a copy of the whole dictionary.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The copy.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public ValueTask<Dictionary<TKey, TValue>> ToDictionaryAsync(CancellationToken cancellationToken = default) =>
        ItemsCore(sync: false, cancellationToken);

    /// <summary>Describes the proxy: its types and which manager holds the dictionary (no round trip).</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"ManagerDict<{Serialization.CSharpName.Of(typeof(TKey))}, {Serialization.CSharpName.Of(typeof(TValue))}> ({_handle.Description})";

    internal ValueTask<long> IncrementCore(TKey key, NumberKind kind, long delta, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictIncrement,
            (key, kind, delta),
            static (FrameBuilder r, in (TKey Key, NumberKind Kind, long Delta) a) =>
            {
                ManagerCodec.WriteBlob(r, a.Key, "key");
                r.WriteByte((byte)a.Kind);
                r.WriteInt64(a.Delta);
            },
            static (ManagerStatus s, ref FrameReader a, in (TKey, NumberKind, long) _) => a.ReadInt64(),
            sync,
            cancellationToken);

    internal ValueTask<double> IncrementCore(TKey key, double delta, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictIncrement,
            (key, delta),
            static (FrameBuilder r, in (TKey Key, double Delta) a) =>
            {
                ManagerCodec.WriteBlob(r, a.Key, "key");
                r.WriteByte((byte)NumberKind.Double);
                r.WriteDouble(a.Delta);
            },
            static (ManagerStatus s, ref FrameReader a, in (TKey, double) _) => a.ReadDouble(),
            sync,
            cancellationToken);

    private KeyNotFoundException NotFound(TKey key) => new($"The key '{key}' is not in {_handle.Description}.");

    private ValueTask<(bool Found, TValue? Value)> TryGetCore(TKey key, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictGet,
            (key, this),
            static (FrameBuilder r, in (TKey Key, ManagerDict<TKey, TValue> Self) a) => ManagerCodec.WriteBlob(r, a.Key, "key"),
            static (ManagerStatus s, ref FrameReader a, in (TKey Key, ManagerDict<TKey, TValue> Self) x) =>
                s == ManagerStatus.Ok ? (true, ManagerCodec.Read<TValue>(a.ReadBlob(), x.Self._handle)) : (false, default(TValue)),
            sync,
            cancellationToken);

    private ValueTask<(bool Found, TValue? Value, byte[]? Raw)> TryGetRawCore(TKey key, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictGet,
            (key, this),
            static (FrameBuilder r, in (TKey Key, ManagerDict<TKey, TValue> Self) a) => ManagerCodec.WriteBlob(r, a.Key, "key"),
            static (ManagerStatus s, ref FrameReader a, in (TKey Key, ManagerDict<TKey, TValue> Self) x) =>
            {
                if (s != ManagerStatus.Ok)
                {
                    return (false, default(TValue), (byte[]?)null);
                }
                ReadOnlyMemory<byte> blob = a.ReadBlob();
                return (true, ManagerCodec.Read<TValue>(blob, x.Self._handle), blob.ToArray());
            },
            sync,
            cancellationToken);

    private ValueTask<bool> SetCore(TKey key, TValue value, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictSet,
            (key, value),
            static (FrameBuilder r, in (TKey Key, TValue Value) a) =>
            {
                ManagerCodec.WriteBlob(r, a.Key, "key");
                ManagerCodec.WriteBlob(r, a.Value, "value");
            },
            static (ManagerStatus s, ref FrameReader a, in (TKey, TValue) _) => true,
            sync,
            cancellationToken);

    private ValueTask<(bool Found, TValue? Value)> RemoveCore(TKey key, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictRemove,
            (key, this),
            static (FrameBuilder r, in (TKey Key, ManagerDict<TKey, TValue> Self) a) => ManagerCodec.WriteBlob(r, a.Key, "key"),
            static (ManagerStatus s, ref FrameReader a, in (TKey Key, ManagerDict<TKey, TValue> Self) x) =>
                s == ManagerStatus.Ok ? (true, ManagerCodec.Read<TValue>(a.ReadBlob(), x.Self._handle)) : (false, default(TValue)),
            sync,
            cancellationToken);

    private ValueTask<bool> ContainsCore(TKey key, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictContains,
            key,
            static (FrameBuilder r, in TKey k) => ManagerCodec.WriteBlob(r, k, "key"),
            static (ManagerStatus s, ref FrameReader a, in TKey _) => a.ReadByte() != 0,
            sync,
            cancellationToken);

    private ValueTask<int> CountCore(bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore<int, int>(ManagerOp.DictCount, 0, null, static (ManagerStatus s, ref FrameReader a, in int _) => a.ReadInt32(), sync, cancellationToken);

    private ValueTask<int> ClearCore(bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore<int, int>(ManagerOp.DictClear, 0, null, static (ManagerStatus s, ref FrameReader a, in int _) => 0, sync, cancellationToken);

    private ValueTask<bool> TryAddCore(TKey key, TValue value, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictTryAdd,
            (key, value),
            static (FrameBuilder r, in (TKey Key, TValue Value) a) =>
            {
                ManagerCodec.WriteBlob(r, a.Key, "key");
                ManagerCodec.WriteBlob(r, a.Value, "value");
            },
            static (ManagerStatus s, ref FrameReader a, in (TKey, TValue) _) => a.ReadByte() != 0,
            sync,
            cancellationToken);

    private ValueTask<TValue> GetOrAddCore(TKey key, TValue value, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictGetOrAdd,
            (key, value, this),
            static (FrameBuilder r, in (TKey Key, TValue Value, ManagerDict<TKey, TValue> Self) a) =>
            {
                ManagerCodec.WriteBlob(r, a.Key, "key");
                ManagerCodec.WriteBlob(r, a.Value, "value");
            },
            static (ManagerStatus s, ref FrameReader a, in (TKey, TValue, ManagerDict<TKey, TValue> Self) x) =>
                ManagerCodec.Read<TValue>(a.ReadBlob(), x.Self._handle),
            sync,
            cancellationToken);

    private ValueTask<bool> TryUpdateCore(TKey key, TValue newValue, TValue comparisonValue, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictTryUpdate,
            (key, newValue, comparisonValue),
            static (FrameBuilder r, in (TKey Key, TValue New, TValue Expected) a) =>
            {
                ManagerCodec.WriteBlob(r, a.Key, "key");
                ManagerCodec.WriteBlob(r, a.New, "newValue");
                ManagerCodec.WriteBlob(r, a.Expected, "comparisonValue");
            },
            static (ManagerStatus s, ref FrameReader a, in (TKey, TValue, TValue) _) => a.ReadByte() != 0,
            sync,
            cancellationToken);

    private ValueTask<bool> TryUpdateRawCore(TKey key, TValue newValue, byte[] expected, bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictTryUpdate,
            (key, newValue, expected),
            static (FrameBuilder r, in (TKey Key, TValue New, byte[] Expected) a) =>
            {
                ManagerCodec.WriteBlob(r, a.Key, "key");
                ManagerCodec.WriteBlob(r, a.New, "value");
                r.WriteBlob(a.Expected);
            },
            static (ManagerStatus s, ref FrameReader a, in (TKey, TValue, byte[]) _) => a.ReadByte() != 0,
            sync,
            cancellationToken);

    private ValueTask<bool> UpdateCore(IEnumerable<KeyValuePair<TKey, TValue>> items, bool sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        KeyValuePair<TKey, TValue>[] pairs = items.ToArray();
        return _handle.CallCore(
            ManagerOp.DictUpdate,
            pairs,
            static (FrameBuilder r, in KeyValuePair<TKey, TValue>[] a) => ManagerCodec.WritePairs(r, a, "items"),
            static (ManagerStatus s, ref FrameReader a, in KeyValuePair<TKey, TValue>[] _) => true,
            sync,
            cancellationToken);
    }

    private ValueTask<Dictionary<TKey, TValue>> GetManyCore(IEnumerable<TKey> keys, bool sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        TKey[] wanted = keys.ToArray();
        return _handle.CallCore(
            ManagerOp.DictGetMany,
            (wanted, this),
            static (FrameBuilder r, in (TKey[] Keys, ManagerDict<TKey, TValue> Self) a) =>
            {
                r.WriteInt32(a.Keys.Length);
                foreach (TKey key in a.Keys)
                {
                    ManagerCodec.WriteBlob(r, key, "keys");
                }
            },
            static (ManagerStatus s, ref FrameReader a, in (TKey[] Keys, ManagerDict<TKey, TValue> Self) x) =>
            {
                int count = a.ReadCount(minElementSize: 1);
                if (count != x.Keys.Length)
                {
                    throw new InvalidDataException($"{x.Self._handle.Description} answered {count} values for {x.Keys.Length} keys.");
                }
                var found = new Dictionary<TKey, TValue>(count);
                for (int i = 0; i < count; i++)
                {
                    if (a.ReadByte() != 0)
                    {
                        found[x.Keys[i]] = ManagerCodec.Read<TValue>(a.ReadBlob(), x.Self._handle);
                    }
                }
                return found;
            },
            sync,
            cancellationToken);
    }

    private ValueTask<Dictionary<TKey, TValue>> ItemsCore(bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictItems,
            this,
            null,
            static (ManagerStatus s, ref FrameReader a, in ManagerDict<TKey, TValue> self) =>
            {
                int count = a.ReadCount(minElementSize: 8);
                var items = new Dictionary<TKey, TValue>(count);
                for (int i = 0; i < count; i++)
                {
                    TKey key = ManagerCodec.Read<TKey>(a.ReadBlob(), self._handle);
                    items[key] = ManagerCodec.Read<TValue>(a.ReadBlob(), self._handle);
                }
                return items;
            },
            sync,
            cancellationToken);

    private ValueTask<IReadOnlyList<TKey>> KeysCore(bool sync, CancellationToken cancellationToken) =>
        _handle.CallCore(
            ManagerOp.DictKeys,
            this,
            null,
            static (ManagerStatus s, ref FrameReader a, in ManagerDict<TKey, TValue> self) =>
            {
                int count = a.ReadCount(minElementSize: 4);
                var keys = new TKey[count];
                for (int i = 0; i < count; i++)
                {
                    keys[i] = ManagerCodec.Read<TKey>(a.ReadBlob(), self._handle);
                }
                return (IReadOnlyList<TKey>)keys;
            },
            sync,
            cancellationToken);
}
