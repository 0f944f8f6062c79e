using System.Net.Sockets;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// One end of a connection that carries whole messages between two processes (or threads): Python's
/// <c>multiprocessing.connection.Connection</c>. Get a connected pair from <see cref="CreatePipe"/>, or connect to a
/// <see cref="ConnectionListener"/> with <see cref="Connect"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Messages.</b> <see cref="Send{T}"/> and <see cref="Receive{T}"/> carry typed values, serialized by their
/// declared type under the same rules as the arguments of a process-pool task: numbers, strings, arrays,
/// collections, and your own classes, structs and records, field by field. No type name travels (except for types
/// registered with <see cref="ProcessTypeAllowlist"/> where the declared type is <see cref="object"/> or an
/// interface), so nothing a peer sends can choose which type is instantiated: there is no equivalent of the remote
/// code execution that CPython documents for <c>recv()</c>. A value that cannot travel, or would not arrive as sent,
/// fails in <see cref="Send{T}"/>, in the caller. <see cref="SendBytes"/> and <see cref="ReceiveBytes()"/> carry raw
/// bytes.
/// </para>
/// <para>
/// <b>Talking to Python.</b> Messages are framed exactly as CPython frames them (a 4-byte big-endian length, or -1
/// and an 8-byte length above 2 GiB), so a Python program talks to Concur with <c>send_bytes</c> and
/// <c>recv_bytes</c>. Python's <c>send</c> and <c>recv</c> use pickle, which Concur does not speak (by design: see
/// above).
/// </para>
/// <para>
/// <b>End of file.</b> When the other end is closed, or its process ends for any reason (a SIGKILL included: the
/// kernel closes its sockets), a receive throws <see cref="EndOfStreamException"/> (Python's <c>EOFError</c>) once the
/// messages already sent have been read, and a send throws <see cref="IOException"/>. Nothing waits for ever on a
/// peer that is gone.
/// </para>
/// <para>
/// <b>Size limit.</b> A message larger than <see cref="MaxMessageSize"/> is refused: by <c>Send</c> before anything is
/// written (<see cref="ArgumentException"/>), and by a receive from its length prefix alone, before any memory is set
/// aside for it (<see cref="InvalidDataException"/>; the connection then can no longer receive, since the refused
/// message is still in the stream). The default, <see cref="DefaultMaxMessageSize"/>, is 128 MiB.
/// </para>
/// <para>
/// <b>Threads.</b> All members are thread-safe. Sends are serialized and so are receives, so messages never
/// interleave; a send and a receive may run at the same time. Only the asynchronous members take a
/// <see cref="CancellationToken"/>: a blocked synchronous call ends when a message arrives, when the other end closes,
/// or when this end is closed (<see cref="ObjectDisposedException"/>). Cancelling a receive that has begun to read a
/// message, or a send that has begun to write one, leaves a stream that no longer starts at a message boundary: this
/// end then refuses further receives (or sends), and a torn send is shown to the other end as end of file.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var (parent, child) = Connection.CreatePipe();
/// var worker = new Thread(() =&gt;
/// {
///     int n = child.Receive&lt;int&gt;();
///     child.Send(new[] { n, n * n });
///     child.Dispose();
/// });
/// worker.Start();
/// parent.Send(7);
/// int[] answer = parent.Receive&lt;int[]&gt;();   // [7, 49]
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed partial class Connection : IDisposable
{
    /// <summary>
    /// The default largest message, in bytes: 128 MiB. Large enough for the 100 MiB items the process queues are meant
    /// to carry and for a 64 MiB array sent typed; small enough that a corrupt or hostile length prefix cannot make a
    /// receiver set aside gigabytes. Pass another value as <c>maxMessageSize</c> to change it.
    /// </summary>
    public const int DefaultMaxMessageSize = 128 * 1024 * 1024;

    private readonly MessageSocket _engine;

    internal Connection(MessageSocket engine) => _engine = engine;

    /// <summary>Gets a value indicating whether this end receives (Python's <c>readable</c>).</summary>
    public bool CanReceive => _engine.CanReceive;

    /// <summary>Gets a value indicating whether this end sends (Python's <c>writable</c>).</summary>
    public bool CanSend => _engine.CanSend;

    /// <summary>Gets a value indicating whether this end has been closed (Python's <c>closed</c>).</summary>
    public bool IsClosed => _engine.IsClosed;

    /// <summary>Gets the largest message this end sends or accepts, in bytes.</summary>
    public int MaxMessageSize => _engine.MaxMessageSize;

    /// <summary>
    /// Creates a pair of connected ends (Python's <c>multiprocessing.Pipe</c>). With <paramref name="duplex"/> (the
    /// default) both ends send and receive; with <c>duplex: false</c>, <c>First</c> only receives and <c>Second</c>
    /// only sends, as in Python's <c>Pipe(False)</c>.
    /// </summary>
    /// <param name="duplex">Whether both ends send and receive. The default is <see langword="true"/>.</param>
    /// <param name="maxMessageSize">The largest message either end sends or accepts, in bytes. The default is <see cref="DefaultMaxMessageSize"/>.</param>
    /// <returns>The two ends. Dispose both.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageSize"/> is not positive.</exception>
    /// <exception cref="IOException">The system could not create the pair (for example, too many open files).</exception>
    /// <remarks>
    /// Both kinds are a Unix socket pair (<c>socketpair(AF_UNIX, SOCK_STREAM)</c>); a one-way pair has the unused
    /// direction shut down at each end. See docs/design/ipc.md for why a socket rather than an anonymous pipe.
    /// </remarks>
    public static (Connection First, Connection Second) CreatePipe(bool duplex = true, int maxMessageSize = DefaultMaxMessageSize)
    {
        ThrowIfBadLimit(maxMessageSize);
        var (a, b) = SocketPair.Create();
        const string Peer = "The other end of the pipe";
        var first = new MessageSocket(a, Peer, maxMessageSize, canReceive: true, canSend: duplex);
        var second = new MessageSocket(b, Peer, maxMessageSize, canReceive: duplex, canSend: true);
        if (!duplex)
        {
            first.TryShutdown(SocketShutdown.Send);
            second.TryShutdown(SocketShutdown.Receive);
        }
        return (new Connection(first), new Connection(second));
    }

    /// <summary>Sends <paramref name="value"/> as one message, serialized by its declared type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The declared type; the receiver reads the message with <see cref="Receive{T}"/> of the same type.</typeparam>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The value cannot travel (the message says why and what to do), or its message is larger than <see cref="MaxMessageSize"/>. Nothing was sent.</exception>
    /// <exception cref="IOException">The other end has closed the connection, or its process has ended.</exception>
    /// <exception cref="NotSupportedException">This end only receives.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    public void Send<T>(T value)
    {
        ThrowIfClosedOrNotWritable();
        using var buffer = new MessageBuffer();
        ReadOnlyMemory<byte> frame = MessageCodec.Encode(buffer, value, _engine.MaxMessageSize);
        _engine.SendFramed(frame.Span);
    }

    /// <summary>Receives the next message as a value of the declared type <typeparamref name="T"/>, waiting until one arrives.</summary>
    /// <typeparam name="T">The type the sender declared.</typeparam>
    /// <returns>The value.</returns>
    /// <exception cref="EndOfStreamException">The other end has closed the connection (or its process ended) and every message sent before has been read.</exception>
    /// <exception cref="InvalidDataException">The message is not a <typeparamref name="T"/> (it was consumed; the connection remains usable), or it is larger than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="NotSupportedException">Values of <typeparamref name="T"/> cannot travel, or this end only sends.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    public T Receive<T>() => SyncOrAsync.RunSync(ReceiveCore<T>(sync: true, default));

    /// <summary>Sends <paramref name="bytes"/> as one message (Python's <c>send_bytes</c>).</summary>
    /// <param name="bytes">The message; it may be empty.</param>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is longer than <see cref="MaxMessageSize"/>. Nothing was sent.</exception>
    /// <exception cref="IOException">The other end has closed the connection, or its process has ended.</exception>
    /// <exception cref="NotSupportedException">This end only receives.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    public void SendBytes(ReadOnlySpan<byte> bytes) => _engine.Send(bytes);

    /// <summary>Receives the next message as a new array of its exact length (Python's <c>recv_bytes</c>), waiting until one arrives.</summary>
    /// <returns>The message.</returns>
    /// <exception cref="EndOfStreamException">The other end has closed the connection (or its process ended) and every message sent before has been read.</exception>
    /// <exception cref="InvalidDataException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="NotSupportedException">This end only sends.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    public byte[] ReceiveBytes() => SyncOrAsync.RunSync(_engine.ReceiveBytesCore(sync: true, default));

    /// <summary>
    /// Receives the next message into <paramref name="buffer"/> (Python's <c>recv_bytes_into</c>), waiting until one
    /// arrives, and returns its length. A message that does not fit stays unread.
    /// </summary>
    /// <param name="buffer">Where the message goes, from its start.</param>
    /// <returns>The length of the message.</returns>
    /// <exception cref="ArgumentException">The message is longer than <paramref name="buffer"/>; it stays unread for the next receive.</exception>
    /// <exception cref="EndOfStreamException">The other end has closed the connection (or its process ended) and every message sent before has been read.</exception>
    /// <exception cref="InvalidDataException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="NotSupportedException">This end only sends.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    public int ReceiveBytes(Span<byte> buffer) => _engine.ReceiveInto(buffer);

    /// <summary>Returns at once whether a message (or the end of the stream) can be read without waiting (Python's <c>poll()</c>).</summary>
    /// <returns><see langword="true"/> if a receive would not wait.</returns>
    /// <exception cref="NotSupportedException">This end only sends.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    public bool Poll() => Poll(TimeSpan.Zero);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> until a message can be read, or the other end has closed (then a
    /// receive throws <see cref="EndOfStreamException"/> at once): Python's <c>poll(timeout)</c>.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to look without waiting, <see cref="Timeout.InfiniteTimeSpan"/> to wait for ever.</param>
    /// <returns><see langword="true"/> if a receive would not wait; <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="NotSupportedException">This end only sends.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    public bool Poll(TimeSpan timeout)
    {
        ThrowIfBadTimeout(timeout);
        return SyncOrAsync.RunSync(_engine.PollCore(timeout, sync: true, default));
    }

    /// <summary>
    /// Closes this end (Python's <c>close()</c>): the other end reads the messages already sent, then gets end of file.
    /// Calls blocked on this end throw <see cref="ObjectDisposedException"/>. Closing twice does nothing.
    /// </summary>
    public void Close()
    {
        HandleSharer.Revoke(this); // A process that receives this end later is told it was closed here.
        _engine.Dispose();
    }

    /// <summary>Closes this end, as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    /// <summary>Describes this end: its directions and whether it is closed.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        $"Connection ({(CanReceive && CanSend ? "duplex" : CanReceive ? "receive only" : "send only")}{(IsClosed ? ", closed" : "")})";

    private async ValueTask<T> ReceiveCore<T>(bool sync, CancellationToken cancellationToken)
    {
        MessageCodec.ThrowIfUnreceivable<T>();
        var (body, length) = await _engine.ReceivePooledCore(sync, cancellationToken).ConfigureAwait(false);
        try
        {
            return MessageCodec.Decode<T>(body.AsMemory(0, length), _engine.Peer);
        }
        finally
        {
            MessageSocket.ReturnBody(body);
        }
    }

    private void ThrowIfClosedOrNotWritable()
    {
        ObjectDisposedException.ThrowIf(_engine.IsClosed, this);
        if (!_engine.CanSend)
        {
            throw ConnectionErrors.NotWritable();
        }
    }

    private static void ThrowIfBadLimit(int maxMessageSize) =>
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);

    private static void ThrowIfBadTimeout(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }
    }
}
