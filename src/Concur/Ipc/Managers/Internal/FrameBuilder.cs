using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// Builds one request or answer of the manager protocol in a buffer that is reused for every frame of a connection,
/// so a round trip allocates nothing of its own: a 4-byte little-endian body length, then the body (an operation or a
/// status byte, then numbers and length-prefixed blobs). Values are written straight into it by MessagePack, through
/// <see cref="IBufferWriter{T}"/>.
/// </summary>
internal sealed class FrameBuilder : IBufferWriter<byte>
{
    /// <summary>The size of the length prefix.</summary>
    public const int HeaderSize = 4;

    /// <summary>A buffer larger than this is dropped after its frame, so one huge value does not pin memory for the connection's life.</summary>
    private const int KeptCapacity = 1 << 20;

    private byte[] _buffer = new byte[4096];
    private int _length;

    /// <summary>Gets the length of the body written so far.</summary>
    public int BodyLength => _length - HeaderSize;

    /// <summary>Starts a request.</summary>
    public void StartRequest(ManagerOp op, long id)
    {
        Reset();
        WriteByte((byte)op);
        WriteInt64(id);
    }

    /// <summary>Starts an answer.</summary>
    public void StartAnswer(ManagerStatus status)
    {
        Reset();
        WriteByte((byte)status);
    }

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    /// <summary>Writes a 32-bit integer.</summary>
    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    /// <summary>Writes a 64-bit integer.</summary>
    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>Writes a double.</summary>
    public void WriteDouble(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>Writes a string as a blob of UTF-8.</summary>
    public void WriteString(string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Ensure(4 + max);
        int written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), written);
        _length += 4 + written;
    }

    /// <summary>Writes a blob: its length, then its bytes.</summary>
    public void WriteBlob(ReadOnlySpan<byte> bytes)
    {
        Ensure(4 + bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length + 4));
        _length += 4 + bytes.Length;
    }

    /// <summary>Reserves a blob's length prefix and returns where it is, for <see cref="EndBlob"/>; the blob's bytes are then written through <see cref="IBufferWriter{T}"/>.</summary>
    public int BeginBlob()
    {
        Ensure(4);
        int at = _length;
        _length += 4;
        return at;
    }

    /// <summary>Writes the length of the blob begun at <paramref name="at"/>.</summary>
    public void EndBlob(int at) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), _length - at - 4);

    /// <summary>Writes the length prefix and returns the whole frame.</summary>
    public ReadOnlyMemory<byte> Finish()
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer, _length - HeaderSize);
        return _buffer.AsMemory(0, _length);
    }

    /// <inheritdoc/>
    public void Advance(int count) => _length += count;

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 256));
        return _buffer.AsMemory(_length);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 256));
        return _buffer.AsSpan(_length);
    }

    private void Reset()
    {
        if (_buffer.Length > KeptCapacity)
        {
            _buffer = new byte[4096];
        }
        _length = HeaderSize;
    }

    private void Ensure(int more)
    {
        if (_buffer.Length - _length >= more)
        {
            return;
        }
        long wanted = Math.Max((long)_buffer.Length * 2, (long)_length + more);
        if (wanted > Array.MaxLength)
        {
            throw new InsufficientMemoryException($"A manager message cannot exceed {Array.MaxLength:N0} bytes.");
        }
        Array.Resize(ref _buffer, (int)wanted);
    }
}
