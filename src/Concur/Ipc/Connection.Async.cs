using Concur.Ipc.Internal;

namespace Concur;

/// <summary>The asynchronous twins of <see cref="Connection"/>'s members.</summary>
public sealed partial class Connection
{
    /// <summary>Asynchronously sends <paramref name="value"/> as one message, serialized by its declared type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The declared type; the receiver reads the message with the same type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the send. A send cancelled while its message is being written ends the sending direction (the other end sees end of file).</param>
    /// <returns>A task that completes when the message has been handed to the system.</returns>
    /// <exception cref="ArgumentException">The value cannot travel, or its message is larger than <see cref="MaxMessageSize"/>. Nothing was sent.</exception>
    /// <exception cref="IOException">The other end has closed the connection, or its process has ended.</exception>
    /// <exception cref="NotSupportedException">This end only receives.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask SendAsync<T>(T value, CancellationToken cancellationToken = default)
    {
        ThrowIfClosedOrNotWritable();
        using var buffer = new MessageBuffer();
        ReadOnlyMemory<byte> frame = MessageCodec.Encode(buffer, value, _engine.MaxMessageSize);
        await _engine.SendFramedAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asynchronously receives the next message as a value of the declared type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type the sender declared.</typeparam>
    /// <param name="cancellationToken">Cancels the wait. Cancelled before the message begins to arrive, nothing is lost; cancelled in the middle of one, this end can no longer receive.</param>
    /// <returns>The value.</returns>
    /// <exception cref="EndOfStreamException">The other end has closed the connection (or its process ended) and every message sent before has been read.</exception>
    /// <exception cref="InvalidDataException">The message is not a <typeparamref name="T"/> (it was consumed), or it is larger than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="NotSupportedException">Values of <typeparamref name="T"/> cannot travel, or this end only sends.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<T> ReceiveAsync<T>(CancellationToken cancellationToken = default) =>
        ReceiveCore<T>(sync: false, cancellationToken);

    /// <summary>Asynchronously sends <paramref name="bytes"/> as one message (Python's <c>send_bytes</c>).</summary>
    /// <param name="bytes">The message; it may be empty. It must not change until the task completes.</param>
    /// <param name="cancellationToken">Cancels the send. A send cancelled while its message is being written ends the sending direction (the other end sees end of file).</param>
    /// <returns>A task that completes when the message has been handed to the system.</returns>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is longer than <see cref="MaxMessageSize"/>. Nothing was sent.</exception>
    /// <exception cref="IOException">The other end has closed the connection, or its process has ended.</exception>
    /// <exception cref="NotSupportedException">This end only receives.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask SendBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        _engine.SendAsync(bytes, cancellationToken);

    /// <summary>Asynchronously receives the next message as a new array of its exact length (Python's <c>recv_bytes</c>).</summary>
    /// <param name="cancellationToken">Cancels the wait. Cancelled before the message begins to arrive, nothing is lost; cancelled in the middle of one, this end can no longer receive.</param>
    /// <returns>The message.</returns>
    /// <exception cref="EndOfStreamException">The other end has closed the connection (or its process ended) and every message sent before has been read.</exception>
    /// <exception cref="InvalidDataException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="NotSupportedException">This end only sends.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<byte[]> ReceiveBytesAsync(CancellationToken cancellationToken = default) =>
        _engine.ReceiveBytesCore(sync: false, cancellationToken);

    /// <summary>Asynchronously receives the next message into <paramref name="buffer"/> and returns its length; a message that does not fit stays unread.</summary>
    /// <param name="buffer">Where the message goes, from its start.</param>
    /// <param name="cancellationToken">Cancels the wait. Cancelled before the message begins to arrive, nothing is lost; cancelled in the middle of one, this end can no longer receive.</param>
    /// <returns>The length of the message.</returns>
    /// <exception cref="ArgumentException">The message is longer than <paramref name="buffer"/>; it stays unread for the next receive.</exception>
    /// <exception cref="EndOfStreamException">The other end has closed the connection (or its process ended) and every message sent before has been read.</exception>
    /// <exception cref="InvalidDataException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="NotSupportedException">This end only sends.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<int> ReceiveBytesAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _engine.ReceiveIntoCore(buffer, sync: false, cancellationToken);

    /// <summary>Asynchronously waits up to <paramref name="timeout"/> until a message can be read, or the other end has closed.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to look without waiting, <see cref="Timeout.InfiniteTimeSpan"/> to wait for ever.</param>
    /// <param name="cancellationToken">Cancels the wait; nothing is consumed.</param>
    /// <returns><see langword="true"/> if a receive would not wait; <see langword="false"/> if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="NotSupportedException">This end only sends.</exception>
    /// <exception cref="ObjectDisposedException">This end has been closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<bool> PollAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfBadTimeout(timeout);
        return _engine.PollCore(timeout, sync: false, cancellationToken);
    }
}
