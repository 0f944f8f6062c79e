using System.Globalization;
using System.Net.Sockets;

namespace Concur.Ipc.Internal;

/// <summary>
/// Every error a connection reports, in one place: what happened, to which end, and what to do. A receive that finds
/// the other end gone always says so in an <see cref="EndOfStreamException"/> (Python's <c>EOFError</c>).
/// </summary>
internal static class ConnectionErrors
{
    /// <summary>The argument names used in messages, so that each names the setting to change.</summary>
    public const string MaxMessageSizeSetting =
        "maxMessageSize (an argument of Connection.CreatePipe, Connection.Connect and the ConnectionListener constructors)";

    /// <summary>The other end closed before a new message began.</summary>
    public static EndOfStreamException Closed(string peer) =>
        new($"{peer} closed the connection (or its process ended): no more messages will arrive.");

    /// <summary>The other end closed in the middle of a message.</summary>
    public static EndOfStreamException ClosedMidMessage(string peer, long received, long length) =>
        new($"{peer} closed the connection (or its process ended) in the middle of a message: " +
            (length >= 0
                ? $"{N(received)} of its {N(length)} bytes had arrived"
                : $"only {N(received)} bytes of its length prefix had arrived") +
            ". The part that arrived was dropped; no more messages will arrive.");

    /// <summary>Sending found the other end closed.</summary>
    public static IOException PeerGoneOnSend(string peer, Exception inner) =>
        new($"{peer} has closed the connection (or its process ended), so the message could not be delivered.", inner);

    /// <summary>A message to send is larger than this end's limit.</summary>
    public static ArgumentException TooLargeToSend(long length, int limit, string paramName) =>
        new($"The message is {N(length)} bytes, more than this connection's maximum message size of {N(limit)} bytes; " +
            $"nothing was sent. Raise {MaxMessageSizeSetting} on both ends if messages this large are expected, or send " +
            "the data in parts.",
            paramName);

    /// <summary>The length prefix of an incoming message exceeds this end's limit; the body is never allocated.</summary>
    public static InvalidDataException TooLargeToReceive(string peer, long length, int limit) =>
        new($"{peer} sent a message of {N(length)} bytes, more than this connection's maximum message size of {N(limit)} " +
            $"bytes, so it was refused before any memory was set aside for it. Raise {MaxMessageSizeSetting} on the " +
            "receiving end if messages this large are expected. This connection can no longer receive.");

    /// <summary>An incoming header holds a length no sender writes.</summary>
    public static InvalidDataException BadHeader(string peer, int value) =>
        new($"{peer} sent a message header holding the length {value.ToString(CultureInfo.InvariantCulture)}, which no " +
            "sender writes (CPython's framing: a 4-byte big-endian length, or -1 and an 8-byte length): the other end " +
            "does not speak this protocol. This connection can no longer receive.");

    /// <summary>The caller's buffer cannot hold the next message, which stays unread.</summary>
    public static ArgumentException BufferTooShort(long length, int capacity, string paramName) =>
        new($"The next message is {N(length)} bytes and the buffer holds {N(capacity)}: the message stays unread. Receive " +
            "it with a buffer of at least that size, or with ReceiveBytes(), which allocates one. (Python raises " +
            "BufferTooShort and loses the message; Concur keeps it.)",
            paramName);

    /// <summary>A receive was cancelled after part of a message had been read.</summary>
    public const string ReceiveCancelledMidMessage =
        "a receive was cancelled in the middle of a message, so the rest of the stream no longer starts at a message " +
        "boundary. Close this connection.";

    /// <summary>A send was cancelled while its message was being written.</summary>
    public const string SendCancelledMidMessage =
        "a send was cancelled while its message was being written; the other end was told the connection ended (it " +
        "sees end of file rather than part of a message). Close this connection.";

    /// <summary>This end can no longer receive, for the reason given.</summary>
    public static InvalidOperationException ReceiveBroken(string reason) =>
        new($"This connection can no longer receive: {reason}");

    /// <summary>This end can no longer send, for the reason given.</summary>
    public static InvalidOperationException SendBroken(string reason) =>
        new($"This connection can no longer send: {reason}");

    /// <summary>A receive on the sending end of a one-way pipe.</summary>
    public static NotSupportedException NotReadable() =>
        new("This end of a one-way pipe only sends (Python's Pipe(duplex=False) gives a read-only and a write-only end): receive on the other end.");

    /// <summary>A send on the receiving end of a one-way pipe.</summary>
    public static NotSupportedException NotWritable() =>
        new("This end of a one-way pipe only receives (Python's Pipe(duplex=False) gives a read-only and a write-only end): send from the other end.");

    /// <summary>Any other failure of the socket.</summary>
    public static IOException Failed(string peer, string what, SocketException inner) =>
        new($"{what} failed on the connection with {LowerFirst(peer)}: {inner.Message} ({inner.SocketErrorCode}).", inner);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string LowerFirst(string text) =>
        text.Length > 0 && char.IsUpper(text[0]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;
}
