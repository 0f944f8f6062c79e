using System.Buffers.Binary;

namespace Concur.Processes.Internal;

/// <summary>
/// Reads frames from a pipe with one buffer, so several small frames that arrive together cost one read call.
/// A frame's body is valid until the next <see cref="TryRead"/>.
/// </summary>
internal sealed class FrameReader
{
    private readonly Stream stream;
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;

    /// <summary>Initializes a reader over <paramref name="stream"/>.</summary>
    public FrameReader(Stream stream) => this.stream = stream;

    /// <summary>Reads the next frame; <see langword="false"/> at end of stream (the other side is gone).</summary>
    /// <exception cref="InvalidDataException">The stream does not hold well-formed frames.</exception>
    public bool TryRead(out FrameKind kind, out long id, out ReadOnlyMemory<byte> body)
    {
        kind = default;
        id = 0;
        body = default;
        if (!Fill(4))
        {
            return false;
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(start));
        if (length < Frame.HeaderSize - 4 || length > Frame.MaxLength)
        {
            throw new InvalidDataException($"Corrupt frame length {length} on a Concur worker pipe.");
        }
        if (!Fill(4 + length))
        {
            return false;
        }
        kind = (FrameKind)buffer[start + 4];
        id = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(start + 5));
        body = buffer.AsMemory(start + Frame.HeaderSize, length + 4 - Frame.HeaderSize);
        start += 4 + length;
        return true;
    }

    private bool Fill(int needed)
    {
        if (end - start >= needed)
        {
            return true;
        }
        if (start > 0)
        {
            // Compact: the previous frame's body is no longer in use.
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (needed > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(needed, buffer.Length * 2));
        }
        while (end < needed)
        {
            int n = stream.Read(buffer, end, buffer.Length - end);
            if (n <= 0)
            {
                return false;
            }
            end += n;
        }
        return true;
    }
}
