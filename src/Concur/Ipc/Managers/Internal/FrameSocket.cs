using System.Buffers.Binary;
using System.Net.Sockets;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// Sends and receives whole frames of the manager protocol over a connected, authenticated socket, with one send
/// and (for a small answer) one receive system call per frame: the receive asks for as much as the buffer holds, so
/// the length prefix and the body usually arrive together. Used by one thread at a time.
/// </summary>
internal sealed class FrameSocket : IDisposable
{
    /// <summary>The largest body accepted: a value as large as a connection's largest message, plus room for the rest of the frame.</summary>
    public const int MaxBody = Connection.DefaultMaxMessageSize + 4096;

    private const int InitialSize = 8192;

    /// <summary>A buffer larger than this is dropped after its frame.</summary>
    private const int KeptCapacity = 1 << 20;

    private readonly Socket _socket;
    private byte[] _receive = new byte[InitialSize];

    /// <summary>Bytes received beyond the current frame (the start of the next one); at <see cref="_nextStart"/>.</summary>
    private int _nextStart;
    private int _nextEnd;

    /// <summary>Wraps a connected socket, which it owns.</summary>
    public FrameSocket(Socket socket) => _socket = socket;

    /// <summary>Gets the socket.</summary>
    public Socket Socket => _socket;

    /// <summary>Sends a frame built by <see cref="FrameBuilder.Finish"/>.</summary>
    /// <exception cref="SocketException">The send failed (the other end is gone).</exception>
    public void Send(ReadOnlySpan<byte> frame)
    {
        while (!frame.IsEmpty)
        {
            int sent = _socket.Send(frame, SocketFlags.None);
            frame = frame[sent..];
        }
    }

    /// <summary>Sends a frame asynchronously.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        while (!frame.IsEmpty)
        {
            int sent = await _socket.SendAsync(frame, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            frame = frame[sent..];
        }
    }

    /// <summary>Receives the next frame and returns a reader over its body, valid until the next receive.</summary>
    /// <exception cref="EndOfStreamException">The other end closed the connection.</exception>
    /// <exception cref="SocketException">The receive failed.</exception>
    /// <exception cref="InvalidDataException">The frame announces a body larger than <see cref="MaxBody"/>.</exception>
    public FrameReader Receive() => Concur.Threading.Internal.SyncOrAsync.RunSync(ReceiveCore(sync: true, default));

    /// <summary>Receives the next frame asynchronously.</summary>
    public ValueTask<FrameReader> ReceiveAsync(CancellationToken cancellationToken) => ReceiveCore(sync: false, cancellationToken);

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _socket.Dispose();

    private async ValueTask<FrameReader> ReceiveCore(bool sync, CancellationToken cancellationToken)
    {
        // Move what is left of the last receive (a pipelined next frame, rare) to the front.
        int have = _nextEnd - _nextStart;
        if (_receive.Length > KeptCapacity && have <= InitialSize)
        {
            byte[] smaller = new byte[InitialSize];
            _receive.AsSpan(_nextStart, have).CopyTo(smaller);
            _receive = smaller;
        }
        else if (_nextStart > 0)
        {
            _receive.AsSpan(_nextStart, have).CopyTo(_receive);
        }
        _nextStart = _nextEnd = 0;
        while (have < FrameBuilder.HeaderSize)
        {
            have += await ReceiveSome(have, sync, atStart: have == 0, cancellationToken).ConfigureAwait(false);
        }
        int body = BinaryPrimitives.ReadInt32LittleEndian(_receive);
        if (body < 1 || body > MaxBody)
        {
            throw new InvalidDataException($"A manager message announces a body of {body:N0} bytes (at most {MaxBody:N0}): the two ends disagree on the protocol.");
        }
        int total = FrameBuilder.HeaderSize + body;
        if (_receive.Length < total)
        {
            Array.Resize(ref _receive, total);
        }
        while (have < total)
        {
            have += await ReceiveSome(have, sync, atStart: false, cancellationToken).ConfigureAwait(false);
        }
        if (have > total)
        {
            _nextStart = total;
            _nextEnd = have;
        }
        return new FrameReader(_receive, FrameBuilder.HeaderSize, total);
    }

    private async ValueTask<int> ReceiveSome(int offset, bool sync, bool atStart, CancellationToken cancellationToken)
    {
        int received = sync
            ? _socket.Receive(_receive.AsSpan(offset), SocketFlags.None)
            : await _socket.ReceiveAsync(_receive.AsMemory(offset), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (received == 0)
        {
            throw new EndOfStreamException(atStart ? "closed" : "closed in the middle of a message");
        }
        return received;
    }
}
