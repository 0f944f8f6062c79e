using System.Net;
using System.Net.Sockets;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// One authenticated connection from a client process to a manager server, used by one call at a time: the request
/// is built in <see cref="Request"/>, sent, and the answer read back, with one send and usually one receive system
/// call. <see cref="ManagerClient"/> keeps idle channels for reuse.
/// </summary>
internal sealed class ManagerChannel : IDisposable
{
    private readonly FrameSocket _frames;

    private ManagerChannel(Socket socket) => _frames = new FrameSocket(socket);

    /// <summary>Gets the frame the next request is built in.</summary>
    public FrameBuilder Request { get; } = new();

    /// <summary>Gets a value indicating whether the channel can no longer be used (a call failed or was cancelled midway).</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Connects to the server at <paramref name="address"/> and runs the authentication handshake.</summary>
    /// <exception cref="IOException">Nothing listens there.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The server holds another key.</exception>
    public static ManagerChannel Open(EndPoint address, string described, byte[] authKey)
    {
        Socket socket = Endpoints.CreateSocket(address);
        try
        {
            try
            {
                socket.Connect(address);
            }
            catch (SocketException e)
            {
                throw ManagerErrors.Unreachable(described, e);
            }
            var engine = new MessageSocket(socket, $"The process manager at {described}", Handshake.MaxMessageLength, canReceive: true, canSend: true);
            SyncOrAsync.RunSync(Handshake.RunCore(engine, authKey, asListener: false, Handshake.DefaultTimeout, sync: true, default));
            return new ManagerChannel(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends the request built in <see cref="Request"/> and waits for the answer.</summary>
    /// <exception cref="IOException">The server is gone (the channel is then broken).</exception>
    public async ValueTask<FrameReader> CallCore(string described, bool sync, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> frame = Request.Finish();
        IsBroken = true; // Until the answer is in: a failure or a cancellation in between leaves the stream mid-frame.
        try
        {
            if (sync)
            {
                _frames.Send(frame.Span);
            }
            else
            {
                await _frames.SendAsync(frame, cancellationToken).ConfigureAwait(false);
            }
            FrameReader answer = sync ? _frames.Receive() : await _frames.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            IsBroken = false;
            return answer;
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException or ObjectDisposedException)
        {
            throw ManagerErrors.Gone(described, e);
        }
    }

    /// <summary>Closes the connection; the server's thread for it ends.</summary>
    public void Dispose() => _frames.Dispose();
}
