using System.Buffers;
using System.Diagnostics;

namespace Concur.Ipc.Internal;

/// <summary>
/// A growing buffer from the shared array pool that a typed message is serialized into, with room for its length
/// prefix kept at the front: the header is written last, and the frame goes to the socket in one write.
/// </summary>
internal sealed class MessageBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _array;
    private int _written = MessageFraming.ShortHeader;

    /// <summary>Creates a buffer with room for a small message.</summary>
    public MessageBuffer() => _array = ArrayPool<byte>.Shared.Rent(256);

    /// <summary>Gets the length of the body written so far.</summary>
    public int BodyLength => _written - MessageFraming.ShortHeader;

    /// <summary>Writes the header for the body written and returns the whole frame.</summary>
    public ReadOnlyMemory<byte> Finish()
    {
        MessageFraming.WriteHeader(_array, BodyLength);
        return _array.AsMemory(0, _written);
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        Debug.Assert(count >= 0 && _written + count <= _array.Length, "Advance past the span handed out.");
        _written += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    /// <summary>Returns the array to the pool.</summary>
    public void Dispose()
    {
        byte[] old = _array;
        _array = [];
        if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    private void Ensure(int sizeHint)
    {
        int needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _array.Length)
        {
            return;
        }
        // Doubling keeps the copies to about the final size in total; a message past Array.MaxLength is refused
        // by the size limit long before.
        int size = (int)Math.Min(Array.MaxLength, Math.Max((long)_array.Length * 2, needed));
        if (size < needed)
        {
            throw new InsufficientMemoryException("A message cannot be larger than the largest array.");
        }
        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        _array.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }
}
