using System.Buffers;
using System.Buffers.Binary;

namespace Concur.Processes.Internal;

/// <summary>
/// The frame format on a worker's pipes: <c>[int32 length of what follows][byte kind][int64 id][body]</c>, little
/// endian. Pipes are byte streams, so the length prefix is what separates messages.
/// </summary>
internal static class Frame
{
    /// <summary>Bytes before the body.</summary>
    public const int HeaderSize = 13;

    /// <summary>The largest frame accepted (guards against a corrupt length).</summary>
    public const int MaxLength = 1 << 30;

    /// <summary>Starts a frame in <paramref name="buffer"/>; write the body next, then call <see cref="Finish"/>.</summary>
    public static void Begin(ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        buffer.GetSpan(HeaderSize);
        buffer.Advance(HeaderSize);
    }

    /// <summary>Copies the frame in <paramref name="buffer"/> out with its header filled in.</summary>
    public static byte[] Finish(ArrayBufferWriter<byte> buffer, FrameKind kind, long id)
    {
        byte[] frame = buffer.WrittenSpan.ToArray();
        WriteHeader(frame, kind, id, frame.Length - 4);
        return frame;
    }

    /// <summary>Fills in the header in place (the span starts with <see cref="HeaderSize"/> reserved bytes).</summary>
    public static void WriteHeader(Span<byte> frame, FrameKind kind, long id, int lengthAfterPrefix)
    {
        BinaryPrimitives.WriteInt32LittleEndian(frame, lengthAfterPrefix);
        frame[4] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(frame[5..], id);
    }

    /// <summary>Builds the frame that tells a worker which polymorphic types it may read and write.</summary>
    public static byte[] AllowTypes()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Begin(buffer);
        var writer = new MessagePack.MessagePackWriter(buffer);
        string[] names = ProcessTypeAllowlist.Snapshot();
        writer.WriteArrayHeader(names.Length);
        foreach (string name in names)
        {
            writer.Write(name);
        }
        writer.Flush();
        return Finish(buffer, FrameKind.AllowTypes, 0);
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
