using System.Net;
using System.Net.Sockets;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>Connecting to a <see cref="ConnectionListener"/> (Python's <c>multiprocessing.connection.Client</c>).</summary>
public sealed partial class Connection
{
    /// <summary>
    /// Connects to the listener at <paramref name="address"/> and, with an <paramref name="authKey"/>, proves that both
    /// ends hold the same key before returning (Python's <c>multiprocessing.connection.Client(address, authkey=...)</c>).
    /// The listener may be a <see cref="ConnectionListener"/> or a Python <c>Listener</c>.
    /// </summary>
    /// <param name="address">A <see cref="UnixDomainSocketEndPoint"/> (a socket file's path, or on Linux an abstract name starting with <c>'\0'</c>, such as a default <see cref="ConnectionListener.Address"/>) or an <see cref="IPEndPoint"/>.</param>
    /// <param name="authKey">
    /// The shared secret, or <see langword="null"/> for no authentication (then anyone who can reach the address can
    /// connect). The handshake is CPython's: HMAC-SHA256 challenges both ways, and HMAC-MD5 with a Python 3.11 or older.
    /// </param>
    /// <param name="maxMessageSize">The largest message this end sends or accepts, in bytes. The default is <see cref="DefaultMaxMessageSize"/>.</param>
    /// <returns>The connected, authenticated end. Dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="address"/> is neither kind of address.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageSize"/> is not positive.</exception>
    /// <exception cref="IOException">Nothing listens at <paramref name="address"/>, or the connection failed.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The keys differ (nothing was exchanged but the handshake), or the listener does not use one.</exception>
    /// <exception cref="TimeoutException">The listener did not complete the handshake within 20 seconds.</exception>
    public static Connection Connect(EndPoint address, byte[]? authKey, int maxMessageSize = DefaultMaxMessageSize) =>
        SyncOrAsync.RunSync(ConnectCore(address, authKey, maxMessageSize, Handshake.DefaultTimeout, sync: true, default));

    /// <summary>Asynchronously connects to the listener at <paramref name="address"/>, as <see cref="Connect"/>.</summary>
    /// <param name="address">A <see cref="UnixDomainSocketEndPoint"/> (a socket file's path, or on Linux an abstract name starting with <c>'\0'</c>, such as a default <see cref="ConnectionListener.Address"/>) or an <see cref="IPEndPoint"/>.</param>
    /// <param name="authKey">The shared secret, or <see langword="null"/> for no authentication.</param>
    /// <param name="maxMessageSize">The largest message this end sends or accepts, in bytes. The default is <see cref="DefaultMaxMessageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the connection and the handshake.</param>
    /// <returns>The connected, authenticated end. Dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="address"/> is neither kind of address.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageSize"/> is not positive.</exception>
    /// <exception cref="IOException">Nothing listens at <paramref name="address"/>, or the connection failed.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The keys differ, or the listener does not use one.</exception>
    /// <exception cref="TimeoutException">The listener did not complete the handshake within 20 seconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static ValueTask<Connection> ConnectAsync(EndPoint address, byte[]? authKey, int maxMessageSize = DefaultMaxMessageSize, CancellationToken cancellationToken = default) =>
        ConnectCore(address, authKey, maxMessageSize, Handshake.DefaultTimeout, sync: false, cancellationToken);

    /// <summary>The one core of <see cref="Connect"/> and <see cref="ConnectAsync"/>; tests pass a short <paramref name="handshakeTimeout"/>.</summary>
    internal static async ValueTask<Connection> ConnectCore(EndPoint address, byte[]? authKey, int maxMessageSize, TimeSpan handshakeTimeout, bool sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ThrowIfBadLimit(maxMessageSize);
        byte[]? key = authKey?.ToArray();
        Socket socket = Endpoints.CreateSocket(address);
        try
        {
            try
            {
                if (sync)
                {
                    socket.Connect(address);
                }
                else
                {
                    await socket.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (SocketException e)
            {
                throw new IOException(
                    $"Could not connect to {Endpoints.Describe(address)}: {e.Message} ({e.SocketErrorCode}). Is a " +
                    "ConnectionListener (or a Python multiprocessing.connection.Listener) listening there?", e);
            }
            var engine = new MessageSocket(socket, $"The listener at {Endpoints.Describe(address)}", maxMessageSize, canReceive: true, canSend: true);
            if (key is not null)
            {
                await Handshake.RunCore(engine, key, asListener: false, handshakeTimeout, sync, cancellationToken).ConfigureAwait(false);
            }
            return new Connection(engine);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
