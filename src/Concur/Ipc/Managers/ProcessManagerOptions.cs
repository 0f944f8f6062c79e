using System.Net;

namespace Concur;

/// <summary>How <see cref="ProcessManager.Start(ProcessManagerOptions?)"/> starts a manager: its address, its key, and the types it may hold.</summary>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ProcessManagerOptions
{
    private readonly List<Type> _registered = [];

    /// <summary>
    /// Gets or sets where the manager listens: a <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/>, or an
    /// <see cref="IPEndPoint"/> (port 0 for any free port) to reach it from other machines. The default,
    /// <see langword="null"/>, is a new abstract Unix socket name on Linux, which leaves nothing behind and accepts
    /// only processes of the same user.
    /// </summary>
    public EndPoint? Address { get; set; }

    /// <summary>
    /// Gets or sets the key clients must prove they hold (CPython's handshake, as <see cref="ConnectionListener"/>).
    /// The default, <see langword="null"/>, is 32 new random bytes, which <see cref="ProcessManager.AuthKey"/> gives.
    /// Over TCP the key is the only guard: keep it secret.
    /// </summary>
    public byte[]? AuthKey { get; set; }

    /// <summary>Gets the types registered for <see cref="ProcessManager.Share{T}"/>.</summary>
    public IReadOnlyList<Type> RegisteredTypes => _registered;

    /// <summary>
    /// Registers <typeparamref name="T"/>, so that the manager may hold instances of it (Python's
    /// <c>BaseManager.register</c>): only registered types are ever made in the manager's process, whatever a client
    /// asks for.
    /// </summary>
    /// <typeparam name="T">A class of your own whose state travels field by field, and whose public methods proxies call.</typeparam>
    /// <returns>These options, to chain calls.</returns>
    public ProcessManagerOptions Register<T>()
        where T : class
    {
        if (!_registered.Contains(typeof(T)))
        {
            _registered.Add(typeof(T));
        }
        return this;
    }

    /// <summary>Describes the options: the address, whether a key is set, and the registered types (never the key itself).</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        $"ProcessManagerOptions (address {(Address is null ? "default" : Ipc.Internal.Endpoints.Describe(Address))}, " +
        $"{(AuthKey is null ? "random key" : "key set")}, registered: " +
        $"{(_registered.Count == 0 ? "none" : string.Join(", ", _registered.Select(Serialization.CSharpName.Of)))})";
}
