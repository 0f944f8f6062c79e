using System.Buffers.Binary;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>
/// The frame format on a worker's pipes: <c>[int32 length of what follows][byte kind][int64 id][body]</c>, little
/// endian. Pipes are byte streams, so the length prefix is what separates messages.
/// </summary>
internal static class Frame
{
    /// <summary>Bytes before the body.</summary>
    public const int HeaderSize = 13;

    /// <summary>Frames up to this size travel as one array; larger ones stay in pooled segments.</summary>
    public const int LargeFrame = 64 * 1024;

    /// <summary>The default for the largest frame the parent accepts from a worker (<see cref="ChannelLimits"/>).</summary>
    public const int DefaultMaxLength = 1 << 30;

    /// <summary>Starts a frame in <paramref name="buffer"/>; write the body next, then call <see cref="Finish"/>.</summary>
    public static void Begin(FrameBuffer buffer)
    {
        buffer.Dispose();
        buffer.GetSpan(HeaderSize);
        buffer.Advance(HeaderSize);
    }

    /// <summary>Fills in the header of the frame in <paramref name="buffer"/> and hands it over as an outgoing frame.</summary>
    /// <exception cref="InvalidOperationException">The frame is longer than the format allows (2 GiB).</exception>
    public static OutgoingFrame Finish(FrameBuffer buffer, FrameKind kind, long id, OutOfBand? arrays = null)
    {
        SealHeader(buffer, kind, id);
        if (arrays is { Outgoing.Count: > 0 })
        {
            return new OutgoingFrame(buffer, id, arrays.Outgoing);
        }
        if (buffer.Length <= LargeFrame)
        {
            byte[] frame = buffer.ToArray();
            buffer.Dispose();
            return frame;
        }
        return new OutgoingFrame(buffer, id, null);
    }

    /// <summary>Fills in the header of the frame in <paramref name="buffer"/>.</summary>
    /// <exception cref="InvalidOperationException">The frame is longer than the format allows (2 GiB).</exception>
    public static void SealHeader(FrameBuffer buffer, FrameKind kind, long id)
    {
        long length = buffer.Length - 4;
        if (length > int.MaxValue)
        {
            throw new InvalidOperationException(
                $"The message is {buffer.Length:N0} bytes long; one message to or from a worker process holds at most 2 GiB. " +
                "Send the data in parts (for example with Map over slices), or through a file.");
        }
        WriteHeader(buffer.Head(HeaderSize), kind, id, (int)length);
    }

    /// <summary>Fills in the header in place (the span starts with <see cref="HeaderSize"/> reserved bytes).</summary>
    public static void WriteHeader(Span<byte> frame, FrameKind kind, long id, int lengthAfterPrefix)
    {
        BinaryPrimitives.WriteInt32LittleEndian(frame, lengthAfterPrefix);
        frame[4] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(frame[5..], id);
    }

    /// <summary>The bytes an array frame adds to its elements: the header and the element type code.</summary>
    public const int ArrayFrameOverhead = HeaderSize + 1;

    /// <summary>
    /// Writes an array of a primitive numeric type as a frame of its own (<see cref="FrameKind.Array"/> or
    /// <see cref="FrameKind.ResultArray"/>): the header, the element's <see cref="TypeCode"/>, then the elements'
    /// bytes straight from the array.
    /// </summary>
    public static void WriteArray(Stream stream, FrameKind kind, long id, Array array)
    {
        ReadOnlySpan<byte> bytes = OutOfBand.BytesOf(array);
        Span<byte> head = stackalloc byte[ArrayFrameOverhead];
        WriteHeader(head, kind, id, checked(ArrayFrameOverhead - 4 + bytes.Length));
        head[HeaderSize] = (byte)Type.GetTypeCode(array.GetType().GetElementType());
        stream.Write(head);
        stream.Write(bytes);
    }

    /// <summary>Builds a frame with an empty body.</summary>
    public static byte[] Empty(FrameKind kind, long id)
    {
        var frame = new byte[HeaderSize];
        WriteHeader(frame, kind, id, HeaderSize - 4);
        return frame;
    }

    /// <summary>Builds a frame whose body is <paramref name="body"/>.</summary>
    public static byte[] WithBody(FrameKind kind, long id, ReadOnlySpan<byte> body)
    {
        var frame = new byte[HeaderSize + body.Length];
        WriteHeader(frame, kind, id, frame.Length - 4);
        body.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }
}
