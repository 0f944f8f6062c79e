using System.Buffers.Binary;
using System.Text;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// Reads the body of one request or answer of the manager protocol (see <see cref="FrameBuilder"/>), checking every
/// length against what is there: a malformed frame is an <see cref="InvalidDataException"/>, never a read past the end.
/// </summary>
internal struct FrameReader
{
    private readonly byte[] _buffer;
    private readonly int _end;
    private int _position;

    /// <summary>Reads the body <paramref name="buffer"/>[<paramref name="start"/>..<paramref name="end"/>).</summary>
    public FrameReader(byte[] buffer, int start, int end)
    {
        _buffer = buffer;
        _position = start;
        _end = end;
    }

    /// <summary>Gets a value indicating whether the whole body has been read.</summary>
    public readonly bool End => _position == _end;

    /// <summary>Reads one byte.</summary>
    public byte ReadByte()
    {
        Need(1);
        return _buffer[_position++];
    }

    /// <summary>Reads a 32-bit integer.</summary>
    public int ReadInt32()
    {
        Need(4);
        int value = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_position));
        _position += 4;
        return value;
    }

    /// <summary>Reads a 64-bit integer.</summary>
    public long ReadInt64()
    {
        Need(8);
        long value = BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(_position));
        _position += 8;
        return value;
    }

    /// <summary>Reads a double.</summary>
    public double ReadDouble()
    {
        Need(8);
        double value = BinaryPrimitives.ReadDoubleLittleEndian(_buffer.AsSpan(_position));
        _position += 8;
        return value;
    }

    /// <summary>Reads a blob, as a slice of the frame's buffer (valid until the next frame is read).</summary>
    public ReadOnlyMemory<byte> ReadBlob()
    {
        int length = ReadInt32();
        if (length < 0)
        {
            throw new InvalidDataException($"A manager message holds a blob of negative length ({length}).");
        }
        Need(length);
        var blob = new ReadOnlyMemory<byte>(_buffer, _position, length);
        _position += length;
        return blob;
    }

    /// <summary>Reads a blob as a span of the frame's buffer.</summary>
    public ReadOnlySpan<byte> ReadBlobSpan() => ReadBlob().Span;

    /// <summary>Reads a string written by <see cref="FrameBuilder.WriteString"/>.</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadBlob().Span);

    /// <summary>Reads a count of following elements, refusing one the rest of the frame cannot hold (each element is at least <paramref name="minElementSize"/> bytes).</summary>
    public int ReadCount(int minElementSize)
    {
        int count = ReadInt32();
        if (count < 0 || (long)count * minElementSize > _end - _position)
        {
            throw new InvalidDataException($"A manager message announces {count} elements that it cannot hold.");
        }
        return count;
    }

    private readonly void Need(int bytes)
    {
        if (_end - _position < bytes)
        {
            throw new InvalidDataException("A manager message ended in the middle of a field: the two ends disagree on the protocol.");
        }
    }
}
