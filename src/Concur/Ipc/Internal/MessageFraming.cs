using System.Buffers.Binary;

namespace Concur.Ipc.Internal;

/// <summary>
/// CPython's framing for <c>multiprocessing.connection.Connection</c>, byte for byte: each message is preceded by its
/// length as a 4-byte big-endian signed integer; a message longer than <c>0x7fffffff</c> bytes is preceded by -1 and
/// then its length as an 8-byte big-endian unsigned integer. A Python program's <c>send_bytes</c>/<c>recv_bytes</c>
/// and Concur's connections therefore read each other's messages.
/// </summary>
internal static class MessageFraming
{
    /// <summary>The size of the usual header.</summary>
    public const int ShortHeader = 4;

    /// <summary>The size of the header of a message longer than <see cref="int.MaxValue"/> bytes (-1, then 8 bytes).</summary>
    public const int LongHeader = 12;

    /// <summary>
    /// Messages up to this size are copied behind their header and written in one call: one system call, and no
    /// header sent alone on a TCP connection (CPython does the same, for Nagle's algorithm: its issue 20540). Larger
    /// ones are written as header, then body, straight from the caller's memory.
    /// </summary>
    public const int CoalesceLimit = 16 * 1024;

    /// <summary>Writes the header of a message of <paramref name="length"/> bytes and returns its size.</summary>
    public static int WriteHeader(Span<byte> destination, long length)
    {
        if (length <= int.MaxValue)
        {
            BinaryPrimitives.WriteInt32BigEndian(destination, (int)length);
            return ShortHeader;
        }
        BinaryPrimitives.WriteInt32BigEndian(destination, -1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[ShortHeader..], (ulong)length);
        return LongHeader;
    }
}
