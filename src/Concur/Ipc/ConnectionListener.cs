using System.Net;
using System.Net.Sockets;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// Listens at an address for connections from other processes, and authenticates each one with a shared key before
/// handing it out: Python's <c>multiprocessing.connection.Listener</c>. Clients connect with
/// <see cref="Connection.Connect"/> or with Python's <c>multiprocessing.connection.Client</c>.
/// </summary>
/// <remarks>
/// <para>
/// The address is a Unix socket (<see cref="UnixDomainSocketEndPoint"/>) or a TCP end point (<see cref="IPEndPoint"/>;
/// port 0 picks a free port, which <see cref="Address"/> then shows). A Unix socket is a file's path, or on Linux a
/// name in the abstract namespace: a string starting with a NUL character, <c>"\0name"</c>, which makes no file.
/// </para>
/// <para>
/// The constructor without an address listens on Linux at a new abstract name, <c>\0concur-&lt;pid&gt;-&lt;random&gt;</c>:
/// nothing is made in the file system, and the kernel frees the name when the listener closes or its process ends,
/// even by SIGKILL. .NET prints such a name with <c>@</c> for the NUL (<c>@concur-1234-…</c>, as <c>ss</c> does);
/// pass <see cref="Address"/> itself to <see cref="Connection.Connect"/>, or give Python the name with its NUL,
/// <c>Client("\0concur-1234-…", authkey=key)</c>. An abstract name is not guarded by file permissions (any process of
/// the machine's network namespace can connect), so that listener accepts only clients running as the same user, or
/// root, as the socket file it replaces did; others make <see cref="Accept"/> throw
/// <see cref="System.Security.Authentication.AuthenticationException"/> before the handshake, and the listener stays
/// open. A listener given an abstract name does not check the user: the key is its guard, as on TCP. On other systems
/// the constructor without an address makes a socket file in the temporary folder, <c>concur-&lt;pid&gt;-&lt;random&gt;.sock</c>.
/// </para>
/// <para>
/// <see cref="Dispose"/> removes a socket file the listener made. A path where a file exists is never replaced, and
/// a listener whose process is killed leaves its socket file behind (the path is the caller's choice): binding there
/// again fails with an <see cref="IOException"/> that says when nothing listens on the file, and how to remove it.
/// </para>
/// <para>
/// With an authentication key, <see cref="Accept"/> runs CPython's challenge-response handshake on each new connection
/// (HMAC-SHA256 both ways, as CPython 3.12 and later; a Python 3.11 client answers with HMAC-MD5, which is accepted, as
/// CPython 3.12 accepts it) and returns it only once both ends have proved they hold the key. A client with another key
/// makes <see cref="Accept"/> throw <see cref="System.Security.Authentication.AuthenticationException"/> before
/// anything it sent has been read; the listener stays open for the next client. Python peers exchange messages with
/// <c>send_bytes</c>/<c>recv_bytes</c>.
/// </para>
/// <para>All members are thread-safe; several threads may accept at once.</para>
/// </remarks>
/// <example>
/// <code>
/// byte[] key = RandomNumberGenerator.GetBytes(32);
/// using var listener = new ConnectionListener(new IPEndPoint(IPAddress.Loopback, 0), key);
/// // elsewhere: using var client = Connection.Connect(listener.Address, key);
/// using Connection connection = listener.Accept();
/// string greeting = connection.Receive&lt;string&gt;();
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ConnectionListener : IDisposable
{
    /// <summary>How many connections may wait to be accepted (CPython's default is 1, which makes a burst of clients wait in connect).</summary>
    private const int Backlog = 16;

    private readonly Socket _socket;
    private readonly byte[]? _key;
    private readonly string? _socketFile;
    private readonly bool _sameUserOnly;
    private readonly int _maxMessageSize;
    private int _closed;

    /// <summary>
    /// Listens at a new Unix socket (Python's <c>Listener()</c> with no address): on Linux a new abstract name,
    /// <c>\0concur-&lt;pid&gt;-&lt;random&gt;</c>, which leaves nothing behind even if the process is killed, and accepts
    /// only clients of the same user (or root); elsewhere a new socket file in the temporary folder.
    /// </summary>
    /// <param name="authKey">The shared secret, or <see langword="null"/> for no authentication (then anyone who can reach the address can connect).</param>
    /// <param name="maxMessageSize">The largest message each accepted connection sends or accepts, in bytes. The default is <see cref="Connection.DefaultMaxMessageSize"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageSize"/> is not positive.</exception>
    /// <exception cref="IOException">The socket could not be created.</exception>
    public ConnectionListener(byte[]? authKey, int maxMessageSize = Connection.DefaultMaxMessageSize)
        : this(Endpoints.NewDefaultAddress(), authKey, maxMessageSize)
    {
        _sameUserOnly = Endpoints.IsAbstract((UnixDomainSocketEndPoint)Address);
    }

    /// <summary>Listens at <paramref name="address"/>.</summary>
    /// <param name="address">A <see cref="UnixDomainSocketEndPoint"/> (a path where no file exists yet, or on Linux an abstract name starting with <c>'\0'</c>) or an <see cref="IPEndPoint"/> (port 0 for any free port).</param>
    /// <param name="authKey">The shared secret, or <see langword="null"/> for no authentication (then anyone who can reach the address can connect).</param>
    /// <param name="maxMessageSize">The largest message each accepted connection sends or accepts, in bytes. The default is <see cref="Connection.DefaultMaxMessageSize"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="address"/> is neither kind of address.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageSize"/> is not positive.</exception>
    /// <exception cref="IOException">The address is in use (a file that exists is never replaced; the message says when nothing listens on it), or cannot be bound.</exception>
    public ConnectionListener(EndPoint address, byte[]? authKey, int maxMessageSize = Connection.DefaultMaxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        _socket = Endpoints.CreateSocket(address);
        try
        {
            _socket.Bind(address);
            _socket.Listen(Backlog);
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new IOException(
                $"Could not listen at {Endpoints.Describe(address)}: {e.Message} ({e.SocketErrorCode})." +
                (e.SocketErrorCode == SocketError.AddressAlreadyInUse ? Endpoints.AddressInUseHint(address) : ""),
                e);
        }
        _key = authKey?.ToArray();
        _maxMessageSize = maxMessageSize;
        _socketFile = address is UnixDomainSocketEndPoint unix && !Endpoints.IsAbstract(unix) ? unix.ToString() : null;
        Address = _socket.LocalEndPoint ?? address;
    }

    /// <summary>
    /// Gets the address clients connect to: the socket file's path, the abstract name (printed with <c>@</c> for its
    /// leading NUL; Python takes it as <c>"\0"</c> and the rest), or the IP address and the port actually bound.
    /// </summary>
    public EndPoint Address { get; }

    /// <summary>Gets a value indicating whether this listener has been closed.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Gets or sets how long a client's handshake may take (<see cref="Handshake.DefaultTimeout"/>); settable so tests need not wait 20 seconds.</summary>
    internal TimeSpan HandshakeTimeout { get; set; } = Handshake.DefaultTimeout;

    /// <summary>Waits for the next client and authenticates it (Python's <c>accept()</c>).</summary>
    /// <returns>The connected, authenticated end. Dispose it.</returns>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The client holds another key, or none, or (at an address this listener chose) runs as another user. The listener stays open.</exception>
    /// <exception cref="TimeoutException">The client did not complete the handshake within 20 seconds. The listener stays open.</exception>
    /// <exception cref="ObjectDisposedException">The listener has been closed (also while waiting).</exception>
    public Connection Accept() => SyncOrAsync.RunSync(AcceptCore(sync: true, default));

    /// <summary>Asynchronously waits for the next client and authenticates it.</summary>
    /// <param name="cancellationToken">Cancels the wait and the handshake.</param>
    /// <returns>The connected, authenticated end. Dispose it.</returns>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The client holds another key, or none, or (at an address this listener chose) runs as another user. The listener stays open.</exception>
    /// <exception cref="TimeoutException">The client did not complete the handshake within 20 seconds. The listener stays open.</exception>
    /// <exception cref="ObjectDisposedException">The listener has been closed (also while waiting).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<Connection> AcceptAsync(CancellationToken cancellationToken = default) => AcceptCore(sync: false, cancellationToken);

    /// <summary>Stops listening and removes the socket file it made, if any (Python's <c>close()</c>). Connections already accepted stay open.</summary>
    public void Close() => Dispose();

    /// <summary>Stops listening and removes the socket file it made, if any, as <see cref="Close"/>. Waiting accepts throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        _socket.Dispose();
        if (_socketFile is not null)
        {
            try
            {
                File.Delete(_socketFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Already gone, or not ours to delete any more.
            }
        }
    }

    /// <summary>Describes the listener: its address.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"ConnectionListener at {Endpoints.Describe(Address)}{(IsClosed ? " (closed)" : "")}";

    private async ValueTask<Connection> AcceptCore(bool sync, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        Socket accepted;
        try
        {
            accepted = sync ? _socket.Accept() : await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsClosed && e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            throw new ObjectDisposedException(nameof(ConnectionListener), "The listener was closed while waiting for a client.");
        }
        try
        {
            Endpoints.Configure(accepted);
            if (_sameUserOnly)
            {
                PeerCredentials.RequireSameUser(accepted, Endpoints.Describe(Address));
            }
            string peer = accepted.RemoteEndPoint is IPEndPoint remote
                ? $"The client at {remote}"
                : $"A client of the listener at {Endpoints.Describe(Address)}";
            var engine = new MessageSocket(accepted, peer, _maxMessageSize, canReceive: true, canSend: true);
            if (_key is not null)
            {
                await Handshake.RunCore(engine, _key, asListener: true, HandshakeTimeout, sync, cancellationToken).ConfigureAwait(false);
            }
            return new Connection(engine);
        }
        catch
        {
            accepted.Dispose();
            throw;
        }
    }
}
