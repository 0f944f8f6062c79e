using System.Buffers;

namespace Concur.Serialization;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over a <see cref="Stream"/> with one pooled buffer: what is written goes to the
/// stream whenever the buffer fills, so a value of any size passes through a fixed amount of memory.
/// </summary>
internal sealed class StreamBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int Size = 64 * 1024;
    private readonly Stream stream;
    private byte[] buffer;
    private int used;

    /// <summary>Initializes a writer that writes to <paramref name="stream"/>.</summary>
    public StreamBufferWriter(Stream stream)
    {
        this.stream = stream;
        buffer = ArrayPool<byte>.Shared.Rent(Size);
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (used + count > buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }
        used += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return buffer.AsMemory(used);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return buffer.AsSpan(used);
    }

    /// <summary>Writes what is buffered to the stream.</summary>
    public void Flush()
    {
        if (used > 0)
        {
            stream.Write(buffer, 0, used);
            used = 0;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        byte[] rented = buffer;
        buffer = [];
        if (rented.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Reserve(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (buffer.Length - used >= needed)
        {
            return;
        }
        Flush();
        if (buffer.Length < needed)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(needed);
        }
    }
}
