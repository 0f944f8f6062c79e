using System.Diagnostics.CodeAnalysis;
using Concur.Ipc.Managers.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A bag of named values held by a <see cref="ProcessManager"/>, reached from any process: Python's
/// <c>manager.Namespace()</c>, whose attributes (<c>ns.x = 1</c>) become <c>ns.Set("x", 1)</c> and
/// <c>ns.Get&lt;int&gt;("x")</c>. Each name holds a value of its own type.
/// </summary>
/// <remarks>
/// Every member is a round trip. Values are copies (see <see cref="ManagerDict{TKey, TValue}"/>), and a value must
/// be read with the type it was stored with: another type throws <see cref="InvalidDataException"/>. When the manager
/// has gone, every member throws an <see cref="IOException"/> naming its address. Thread-safe.
/// </remarks>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ManagerNamespace
{
    private readonly ManagerHandle _handle;

    internal ManagerNamespace(ManagerHandle handle) => _handle = handle;

    /// <summary>Gets a snapshot of the names set (Python's <c>vars(ns)</c> keys).</summary>
    /// <exception cref="IOException">The manager is gone.</exception>
    public IReadOnlyList<string> Names => SyncOrAsync.RunSync(_handle.CallCore(
        ManagerOp.DictKeys,
        this,
        null,
        static (ManagerStatus s, ref FrameReader a, in ManagerNamespace self) =>
        {
            int count = a.ReadCount(minElementSize: 4);
            string[] names = new string[count];
            for (int i = 0; i < count; i++)
            {
                names[i] = ManagerCodec.Read<string>(a.ReadBlob(), self._handle);
            }
            return (IReadOnlyList<string>)names;
        },
        sync: true,
        default));

    /// <summary>Gets a copy of the value of <paramref name="name"/> (Python's <c>ns.name</c>).</summary>
    /// <typeparam name="T">The type it was stored with.</typeparam>
    /// <param name="name">The name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">Nothing is set under <paramref name="name"/> (Python's <c>AttributeError</c>).</exception>
    /// <exception cref="InvalidDataException">The value was stored as another type.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public T Get<T>(string name)
    {
        var (found, value) = SyncOrAsync.RunSync(TryGetCore<T>(name, sync: true, default));
        return found ? value! : throw NotFound(name);
    }

    /// <summary>Gets a copy of the value of <paramref name="name"/>, if it is set.</summary>
    /// <typeparam name="T">The type it was stored with.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="value">The value, or the default.</param>
    /// <returns>Whether it is set.</returns>
    /// <exception cref="InvalidDataException">The value was stored as another type.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public bool TryGet<T>(string name, [MaybeNullWhen(false)] out T value)
    {
        (bool found, value) = SyncOrAsync.RunSync(TryGetCore<T>(name, sync: true, default));
        return found;
    }

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/> (Python's <c>ns.name = value</c>).</summary>
    /// <typeparam name="T">The value's type; read it back with the same.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The value cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public void Set<T>(string name, T value) => SyncOrAsync.RunSync(SetCore(name, value, sync: true, default));

    /// <summary>Removes <paramref name="name"/> (Python's <c>del ns.name</c>).</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether it was set.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return SyncOrAsync.RunSync(_handle.CallCore(
            ManagerOp.DictRemove,
            name,
            static (FrameBuilder r, in string n) => ManagerCodec.WriteBlob(r, n, "name"),
            static (ManagerStatus s, ref FrameReader a, in string _) => s == ManagerStatus.Ok,
            sync: true,
            default));
    }

    /// <summary>Asynchronously gets a copy of the value of <paramref name="name"/>.</summary>
    /// <typeparam name="T">The type it was stored with.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">Nothing is set under <paramref name="name"/>.</exception>
    /// <exception cref="InvalidDataException">The value was stored as another type.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public async ValueTask<T> GetAsync<T>(string name, CancellationToken cancellationToken = default)
    {
        var (found, value) = await TryGetCore<T>(name, sync: false, cancellationToken).ConfigureAwait(false);
        return found ? value! : throw NotFound(name);
    }

    /// <summary>Asynchronously sets <paramref name="name"/> to <paramref name="value"/>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when it is set.</returns>
    /// <exception cref="ArgumentException">The value cannot travel.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public async ValueTask SetAsync<T>(string name, T value, CancellationToken cancellationToken = default) =>
        await SetCore(name, value, sync: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Describes the proxy (no round trip).</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"ManagerNamespace ({_handle.Description})";

    private KeyNotFoundException NotFound(string name) => new($"Nothing is set under '{name}' in {_handle.Description}.");

    private ValueTask<(bool Found, T? Value)> TryGetCore<T>(string name, bool sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _handle.CallCore(
            ManagerOp.DictGet,
            (name, this),
            static (FrameBuilder r, in (string Name, ManagerNamespace Self) a) => ManagerCodec.WriteBlob(r, a.Name, "name"),
            static (ManagerStatus s, ref FrameReader a, in (string Name, ManagerNamespace Self) x) =>
                s == ManagerStatus.Ok ? (true, ManagerCodec.Read<T>(a.ReadBlob(), x.Self._handle)) : (false, default(T)),
            sync,
            cancellationToken);
    }

    private ValueTask<int> SetCore<T>(string name, T value, bool sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _handle.CallCore(
            ManagerOp.DictSet,
            (name, value),
            static (FrameBuilder r, in (string Name, T Value) a) =>
            {
                ManagerCodec.WriteBlob(r, a.Name, "name");
                ManagerCodec.WriteBlob(r, a.Value, "value");
            },
            static (ManagerStatus s, ref FrameReader a, in (string, T) _) => 0,
            sync,
            cancellationToken);
    }
}
