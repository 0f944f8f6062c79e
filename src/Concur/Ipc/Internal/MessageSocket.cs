using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Concur.Threading.Internal;

namespace Concur.Ipc.Internal;

/// <summary>
/// The engine behind <see cref="Connection"/>: whole messages over a connected stream socket, in CPython's framing
/// (<see cref="MessageFraming"/>), with one sender and one receiver at a time, a size limit checked before anything is
/// allocated, and every failure turned into an exception that says which end did what.
/// </summary>
/// <remarks>
/// <code>
///  senders ──► sendGate ──► [length][body] ──► socket ══ kernel buffer ══► socket ──► receiveGate ──► receivers
///                           one message whole                              header, limit check, body
/// </code>
/// <para>
/// The two directions are independent: a send and a receive may run at the same time on different threads, and
/// several senders (or receivers) take turns, so messages never interleave. The receive side keeps the length of a
/// message whose header it has read but whose body it has not (<see cref="_pendingLength"/>): a receive into a buffer
/// that is too small, or one cancelled between header and body, leaves the message for the next receive.
/// </para>
/// <para>
/// A message is the unit of failure. A receive cancelled after part of a body was consumed, or a header refused for
/// its size, breaks the receive side for good (<see cref="_receiveBroken"/>): what follows in the stream no longer
/// starts at a message boundary. A send cancelled while its message is being written shuts the sending direction
/// down, so the other end sees end of file instead of a torn message it would misread.
/// </para>
/// <para>
/// Blocking and asynchronous members share one core per operation, selected by a <c>sync</c> flag
/// (<see cref="SyncOrAsync"/>). Only the asynchronous twins take a <see cref="CancellationToken"/>; a blocked
/// synchronous call ends when a message arrives, the other end closes, or this end is closed.
/// </para>
/// </remarks>
internal sealed class MessageSocket : IDisposable
{
    /// <summary>Bodies up to this size are read into arrays from the shared pool (typed messages, which are decoded and dropped).</summary>
    private const int PooledBody = 1024 * 1024;

    private readonly Socket _socket;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly SemaphoreSlim _receiveGate = new(1, 1);
    private readonly byte[] _header = new byte[MessageFraming.LongHeader];
    private readonly byte[] _peekByte = new byte[1];
    private readonly Lock _shareLock = new();

    /// <summary>The length of a message whose header has been read and whose body has not; -1 if none. Under <see cref="_receiveGate"/>.</summary>
    private long _pendingLength = -1;

    /// <summary>Why this end can no longer receive, or <see langword="null"/>.</summary>
    private volatile string? _receiveBroken;

    /// <summary>Why this end can no longer send, or <see langword="null"/>.</summary>
    private volatile string? _sendBroken;

    /// <summary>Whether the other end's closing has been seen by a receive: every later receive reports it again.</summary>
    private volatile bool _endOfStream;

    /// <summary>Whether a send has found the other end closed.</summary>
    private volatile bool _peerGone;

    private int _closed;

    /// <summary>Whether <see cref="PrepareForSharing"/> has run.</summary>
    private volatile bool _shared;

    /// <summary>Creates the engine over a connected <paramref name="socket"/>, which it owns from now on.</summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="peer">How messages name the other end, as the start of a sentence ("The other end of the pipe").</param>
    /// <param name="maxMessageSize">The largest message body sent or accepted, in bytes.</param>
    /// <param name="canReceive">Whether this end receives.</param>
    /// <param name="canSend">Whether this end sends.</param>
    public MessageSocket(Socket socket, string peer, int maxMessageSize, bool canReceive, bool canSend)
    {
        Debug.Assert(canReceive || canSend, "An end that neither sends nor receives is useless.");
        _socket = socket;
        Peer = peer;
        MaxMessageSize = maxMessageSize;
        CanReceive = canReceive;
        CanSend = canSend;
    }

    /// <summary>Gets how messages name the other end.</summary>
    public string Peer { get; }

    /// <summary>Gets the largest message body sent or accepted.</summary>
    public int MaxMessageSize { get; }

    /// <summary>Gets a value indicating whether this end receives.</summary>
    public bool CanReceive { get; }

    /// <summary>Gets a value indicating whether this end sends.</summary>
    public bool CanSend { get; }

    /// <summary>Gets a value indicating whether this end has been closed.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Gets the socket, for the handshake's timeouts.</summary>
    public Socket Socket => _socket;

    // ---- Sending ----

    /// <summary>Sends <paramref name="body"/> as one message.</summary>
    public void Send(ReadOnlySpan<byte> body)
    {
        ThrowIfCannotSend();
        if (body.Length > MaxMessageSize)
        {
            throw ConnectionErrors.TooLargeToSend(body.Length, MaxMessageSize, "bytes");
        }
        if (body.Length <= MessageFraming.CoalesceLimit)
        {
            Span<byte> frame = stackalloc byte[MessageFraming.ShortHeader + body.Length];
            int headerSize = MessageFraming.WriteHeader(frame, body.Length);
            body.CopyTo(frame[headerSize..]);
            Write(frame[..(headerSize + body.Length)], default);
            return;
        }
        Span<byte> head = stackalloc byte[MessageFraming.LongHeader];
        Write(head[..MessageFraming.WriteHeader(head, body.Length)], body);
    }

    /// <summary>Sends a message already framed (its header written at its start by the caller).</summary>
    public void SendFramed(ReadOnlySpan<byte> frame)
    {
        ThrowIfCannotSend();
        Write(frame, default);
    }

    /// <summary>Asynchronously sends <paramref name="body"/> as one message.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ThrowIfCannotSend();
        if (body.Length > MaxMessageSize)
        {
            throw ConnectionErrors.TooLargeToSend(body.Length, MaxMessageSize, "bytes");
        }
        if (body.Length <= MessageFraming.CoalesceLimit)
        {
            byte[] frame = ArrayPool<byte>.Shared.Rent(MessageFraming.ShortHeader + body.Length);
            try
            {
                int headerSize = MessageFraming.WriteHeader(frame, body.Length);
                body.Span.CopyTo(frame.AsSpan(headerSize));
                await WriteAsync(frame.AsMemory(0, headerSize + body.Length), default, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
            return;
        }
        byte[] head = new byte[MessageFraming.LongHeader];
        await WriteAsync(head.AsMemory(0, MessageFraming.WriteHeader(head, body.Length)), body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asynchronously sends a message already framed.</summary>
    public ValueTask SendFramedAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        ThrowIfCannotSend();
        return WriteAsync(frame, default, cancellationToken);
    }

    /// <summary>Sends a small <paramref name="body"/> as one message, blocking or not, whatever the size limit (the handshake's messages).</summary>
    public ValueTask SendUncheckedCore(ReadOnlyMemory<byte> body, bool sync, CancellationToken cancellationToken)
    {
        Debug.Assert(body.Length <= MessageFraming.CoalesceLimit, "Only small messages go unchecked.");
        byte[] frame = new byte[MessageFraming.ShortHeader + body.Length];
        int headerSize = MessageFraming.WriteHeader(frame, body.Length);
        body.Span.CopyTo(frame.AsSpan(headerSize));
        if (!sync)
        {
            return SendFramedAsync(frame, cancellationToken);
        }
        SendFramed(frame);
        return default;
    }

    private void Write(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        _sendGate.Wait();
        try
        {
            ThrowIfSendBroken();
            WriteAll(first);
            WriteAll(second);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            throw SendFailed(e);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private void WriteAll(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[_socket.Send(bytes, SocketFlags.None)..];
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfSendBroken();
            while (!first.IsEmpty)
            {
                first = first[await _socket.SendAsync(first, SocketFlags.None, cancellationToken).ConfigureAwait(false)..];
            }
            while (!second.IsEmpty)
            {
                second = second[await _socket.SendAsync(second, SocketFlags.None, cancellationToken).ConfigureAwait(false)..];
            }
        }
        catch (OperationCanceledException) when (!IsClosed)
        {
            // A cancelled send may have written part of its message, and the count is lost with the exception: end
            // the sending direction so the other end sees end of file, never a torn message.
            _sendBroken = ConnectionErrors.SendCancelledMidMessage;
            TryShutdown(SocketShutdown.Send);
            throw;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            throw SendFailed(e);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private Exception SendFailed(Exception e)
    {
        if (IsClosed)
        {
            return new ObjectDisposedException(nameof(Connection), "This end of the connection has been closed.");
        }
        if (e is SocketException { SocketErrorCode: SocketError.Shutdown or SocketError.ConnectionReset or SocketError.ConnectionAborted } s)
        {
            _peerGone = true;
            return ConnectionErrors.PeerGoneOnSend(Peer, s);
        }
        return e is SocketException other ? ConnectionErrors.Failed(Peer, "Sending", other) : e;
    }

    // ---- Receiving ----

    /// <summary>Receives the next message into a new array of its exact size.</summary>
    public async ValueTask<byte[]> ReceiveBytesCore(bool sync, CancellationToken cancellationToken)
    {
        await EnterReceive(sync, cancellationToken).ConfigureAwait(false);
        try
        {
            long length = await NextLengthCore(MaxMessageSize, sync, cancellationToken).ConfigureAwait(false);
            byte[] body = NewBody((int)length);
            await ReadBodyCore(body, sync, cancellationToken).ConfigureAwait(false);
            return body;
        }
        finally
        {
            _receiveGate.Release();
        }
    }

    /// <summary>
    /// Receives the next message into an array of at least its size, from the shared pool when it is small: the
    /// caller decodes it and returns it with <see cref="ReturnBody"/>.
    /// </summary>
    public async ValueTask<(byte[] Body, int Length)> ReceivePooledCore(bool sync, CancellationToken cancellationToken)
    {
        await EnterReceive(sync, cancellationToken).ConfigureAwait(false);
        try
        {
            int length = (int)await NextLengthCore(MaxMessageSize, sync, cancellationToken).ConfigureAwait(false);
            byte[] body = length <= PooledBody ? ArrayPool<byte>.Shared.Rent(length) : NewBody(length);
            try
            {
                await ReadBodyCore(body.AsMemory(0, length), sync, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                ReturnBody(body);
                throw;
            }
            return (body, length);
        }
        finally
        {
            _receiveGate.Release();
        }
    }

    /// <summary>
    /// Allocates the array a message of <paramref name="length"/> bytes is read into. A large one is made present in
    /// one system call first (<see cref="Platform.IProcessPlatform.Prefault"/>): filling fresh memory page by page
    /// from the socket would otherwise take a page fault every 4 KiB, which costs more than the copy itself.
    /// </summary>
    private static byte[] NewBody(int length)
    {
        if (length == 0)
        {
            return [];
        }
        byte[] body = GC.AllocateUninitializedArray<byte>(length);
        if (length >= PooledBody)
        {
            Platform.ProcessPlatform.Current.Prefault(body);
        }
        return body;
    }

    /// <summary>Gives back an array from <see cref="ReceivePooledCore"/>.</summary>
    public static void ReturnBody(byte[] body)
    {
        if (body.Length <= PooledBody)
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>Receives the next message into <paramref name="buffer"/> and returns its length.</summary>
    /// <exception cref="ArgumentException">The message does not fit; it stays unread.</exception>
    public async ValueTask<int> ReceiveIntoCore(Memory<byte> buffer, bool sync, CancellationToken cancellationToken)
    {
        await EnterReceive(sync, cancellationToken).ConfigureAwait(false);
        try
        {
            long length = await NextLengthCore(MaxMessageSize, sync, cancellationToken).ConfigureAwait(false);
            if (length > buffer.Length)
            {
                throw ConnectionErrors.BufferTooShort(length, buffer.Length, nameof(buffer));
            }
            await ReadBodyCore(buffer[..(int)length], sync, cancellationToken).ConfigureAwait(false);
            return (int)length;
        }
        finally
        {
            _receiveGate.Release();
        }
    }

    /// <summary>Receives the next message into <paramref name="buffer"/> (blocking) and returns its length.</summary>
    /// <exception cref="ArgumentException">The message does not fit; it stays unread.</exception>
    public int ReceiveInto(Span<byte> buffer)
    {
        SyncOrAsync.RunSync(EnterReceive(sync: true, default));
        try
        {
            long length = SyncOrAsync.RunSync(NextLengthCore(MaxMessageSize, sync: true, default));
            if (length > buffer.Length)
            {
                throw ConnectionErrors.BufferTooShort(length, buffer.Length, nameof(buffer));
            }
            ReadExactly(buffer[..(int)length], Part.Body, length);
            _pendingLength = -1;
            return (int)length;
        }
        finally
        {
            _receiveGate.Release();
        }
    }

    /// <summary>Receives one handshake message of at most <paramref name="limit"/> bytes.</summary>
    /// <exception cref="InvalidDataException">The message is longer than <paramref name="limit"/>.</exception>
    public async ValueTask<byte[]> ReceiveSmallCore(int limit, bool sync, CancellationToken cancellationToken)
    {
        await EnterReceive(sync, cancellationToken).ConfigureAwait(false);
        try
        {
            long length = await NextLengthCore(limit, sync, cancellationToken).ConfigureAwait(false);
            byte[] body = new byte[length];
            await ReadBodyCore(body, sync, cancellationToken).ConfigureAwait(false);
            return body;
        }
        finally
        {
            _receiveGate.Release();
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> until a message (or the end of the stream) can be read.</summary>
    public async ValueTask<bool> PollCore(TimeSpan timeout, bool sync, CancellationToken cancellationToken)
    {
        ThrowIfCannotReceive();
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _pendingLength) >= 0 || _receiveBroken is not null || _endOfStream)
        {
            return true;
        }
        try
        {
            if (_socket.Poll(TimeSpan.Zero, SelectMode.SelectRead))
            {
                return true;
            }
            if (timeout == TimeSpan.Zero)
            {
                return false;
            }
            if (sync)
            {
                bool ready = _socket.Poll(timeout, SelectMode.SelectRead);
                // Closing this end wakes a blocked poll (as readable): that is not a message.
                return IsClosed ? throw ClosedHere() : ready;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                linked.CancelAfter(timeout);
            }
            try
            {
                // A one-byte peek completes when a byte or the end of the stream is there, and consumes nothing.
                await _socket.ReceiveAsync(_peekByte, SocketFlags.Peek, linked.Token).ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !IsClosed)
            {
                return false;
            }
        }
        catch (SocketException) when (!IsClosed)
        {
            return true; // An error is "something to read": the next receive reports it.
        }
        catch (Exception e) when (IsClosed && e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            throw ClosedHere();
        }
    }

    private async ValueTask EnterReceive(bool sync, CancellationToken cancellationToken)
    {
        ThrowIfCannotReceive();
        if (sync)
        {
            _receiveGate.Wait(CancellationToken.None);
        }
        else
        {
            await _receiveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_receiveBroken is string reason)
        {
            _receiveGate.Release();
            throw ConnectionErrors.ReceiveBroken(reason);
        }
        if (_endOfStream)
        {
            _receiveGate.Release();
            throw ConnectionErrors.Closed(Peer);
        }
    }

    /// <summary>Reads the next message's header, unless it has been read already, and returns its length. Under <see cref="_receiveGate"/>.</summary>
    private async ValueTask<long> NextLengthCore(int limit, bool sync, CancellationToken cancellationToken)
    {
        if (_pendingLength >= 0)
        {
            return _pendingLength;
        }
        await ReadExactlyCore(_header.AsMemory(0, MessageFraming.ShortHeader), Part.Header, -1, sync, cancellationToken).ConfigureAwait(false);
        int first = BinaryPrimitives.ReadInt32BigEndian(_header);
        long length = first;
        if (first == -1)
        {
            await ReadExactlyCore(_header.AsMemory(MessageFraming.ShortHeader, 8), Part.HeaderExtension, -1, sync, cancellationToken).ConfigureAwait(false);
            ulong extended = BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(MessageFraming.ShortHeader));
            length = extended > long.MaxValue ? long.MaxValue : (long)extended;
        }
        else if (first < 0)
        {
            InvalidDataException bad = ConnectionErrors.BadHeader(Peer, first);
            _receiveBroken = bad.Message;
            throw bad;
        }
        if (length > limit)
        {
            InvalidDataException large = ConnectionErrors.TooLargeToReceive(Peer, length, limit);
            _receiveBroken = large.Message;
            throw large;
        }
        _pendingLength = length;
        return length;
    }

    private async ValueTask ReadBodyCore(Memory<byte> body, bool sync, CancellationToken cancellationToken)
    {
        Debug.Assert(_pendingLength == body.Length, "The body is read into exactly its length.");
        await ReadExactlyCore(body, Part.Body, body.Length, sync, cancellationToken).ConfigureAwait(false);
        _pendingLength = -1;
    }

    /// <summary>Fills <paramref name="buffer"/> from the socket.</summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="part">Which part of a message is read: decides what an end of file or a cancellation here means.</param>
    /// <param name="length">The message's length, for messages (-1 while the header is read).</param>
    /// <param name="sync">Whether to block.</param>
    /// <param name="cancellationToken">Cancels an asynchronous read.</param>
    private async ValueTask ReadExactlyCore(Memory<byte> buffer, Part part, long length, bool sync, CancellationToken cancellationToken)
    {
        if (sync)
        {
            ReadExactly(buffer.Span, part, length);
            return;
        }
        int total = 0;
        while (total < buffer.Length)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer[total..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!IsClosed)
            {
                if (total > 0 || part == Part.HeaderExtension)
                {
                    _receiveBroken = ConnectionErrors.ReceiveCancelledMidMessage;
                }
                throw;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                throw ReceiveFailed(e, part, total, length);
            }
            if (n == 0)
            {
                throw EndOfFile(part, total, length);
            }
            total += n;
        }
    }

    private void ReadExactly(Span<byte> buffer, Part part, long length)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n;
            try
            {
                n = _socket.Receive(buffer[total..], SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                throw ReceiveFailed(e, part, total, length);
            }
            if (n == 0)
            {
                throw EndOfFile(part, total, length);
            }
            total += n;
        }
    }

    private Exception EndOfFile(Part part, int received, long length)
    {
        if (IsClosed)
        {
            return ClosedHere();
        }
        _endOfStream = true;
        if (part == Part.Header && received == 0)
        {
            return ConnectionErrors.Closed(Peer);
        }
        return ConnectionErrors.ClosedMidMessage(Peer, part == Part.HeaderExtension ? received + MessageFraming.ShortHeader : received, length);
    }

    private Exception ReceiveFailed(Exception e, Part part, int received, long length)
    {
        if (IsClosed)
        {
            return ClosedHere();
        }
        return e switch
        {
            // A peer that dies with data unread in its own buffer resets the connection: that is its end, too.
            SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown } =>
                EndOfFile(part, received, length),
            SocketException { SocketErrorCode: SocketError.TimedOut } s =>
                new TimeoutException($"{Peer} sent nothing within the time allowed.", s),
            SocketException s => ConnectionErrors.Failed(Peer, "Receiving", s),
            _ => e,
        };
    }

    // ---- State ----

    /// <summary>
    /// Prepares the socket for being open in several processes at once, before another process gets a copy: .NET's
    /// non-blocking mode with blocking calls emulated on its event loop. Idempotent and thread-safe.
    /// </summary>
    /// <remarks>
    /// Whether a socket blocks (<c>O_NONBLOCK</c>) belongs to the open file, which every process's copy shares, and
    /// .NET turns it on at the first asynchronous call. A copy whose .NET socket still believes it blocks would then
    /// see its blocking receive fail at once (EAGAIN, reported as a timeout). Switching every copy, in the sender here
    /// and in each receiver, to the mode .NET keeps for a socket that has been used asynchronously makes each process
    /// correct whatever the others do. Measured on this machine: a dup'ed socket's blocking Receive failed with
    /// "Connection timed out" after the other copy went asynchronous, and succeeded after this switch.
    /// </remarks>
    public void PrepareForSharing()
    {
        if (_shared)
        {
            return;
        }
        lock (_shareLock)
        {
            if (!_shared)
            {
                _socket.Blocking = false; // Makes .NET put the descriptor in non-blocking mode...
                _socket.Blocking = true;  // ...and emulate blocking calls from now on; the descriptor stays non-blocking.
                _shared = true;
            }
        }
    }

    /// <summary>Closes this end: the other end sees end of file, and calls blocked on this end end with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        _socket.Dispose();
    }

    /// <summary>Shuts one direction down at the socket: the one-way ends use it, and a torn send.</summary>
    public void TryShutdown(SocketShutdown how)
    {
        try
        {
            _socket.Shutdown(how);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed, or the other end is gone: nothing left to shut.
        }
    }

    private void ThrowIfCannotSend()
    {
        if (IsClosed)
        {
            throw ClosedHere();
        }
        if (!CanSend)
        {
            throw ConnectionErrors.NotWritable();
        }
    }

    private void ThrowIfSendBroken()
    {
        if (IsClosed)
        {
            throw ClosedHere();
        }
        if (_sendBroken is string reason)
        {
            throw ConnectionErrors.SendBroken(reason);
        }
        if (_peerGone)
        {
            throw ConnectionErrors.PeerGoneOnSend(Peer, new SocketException((int)SocketError.Shutdown));
        }
    }

    private void ThrowIfCannotReceive()
    {
        if (IsClosed)
        {
            throw ClosedHere();
        }
        if (!CanReceive)
        {
            throw ConnectionErrors.NotReadable();
        }
    }

    private static ObjectDisposedException ClosedHere() =>
        new(nameof(Connection), "This end of the connection has been closed.");

    /// <summary>Which part of a message a read is filling.</summary>
    private enum Part
    {
        /// <summary>The 4-byte length: an end of file before its first byte is a clean end.</summary>
        Header,

        /// <summary>The 8-byte length after -1.</summary>
        HeaderExtension,

        /// <summary>The body: a cancellation before its first byte leaves the message for the next receive.</summary>
        Body,
    }
}
