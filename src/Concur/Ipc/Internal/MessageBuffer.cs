using System.Buffers;
using System.Diagnostics;

namespace Concur.Ipc.Internal;

/// <summary>
/// A growing buffer from the shared array pool that a typed message is serialized into, with room for its length
/// prefix kept at the front: the header is written last, and the frame goes to the socket in one write.
/// </summary>
internal sealed class MessageBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] array;
    private int written = MessageFraming.ShortHeader;

    /// <summary>Creates a buffer with room for a small message.</summary>
    public MessageBuffer() => array = ArrayPool<byte>.Shared.Rent(256);

    /// <summary>Gets the length of the body written so far.</summary>
    public int BodyLength => written - MessageFraming.ShortHeader;

    /// <summary>Writes the header for the body written and returns the whole frame.</summary>
    public ReadOnlyMemory<byte> Finish()
    {
        MessageFraming.WriteHeader(array, BodyLength);
        return array.AsMemory(0, written);
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        Debug.Assert(count >= 0 && written + count <= array.Length, "Advance past the span handed out.");
        written += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsMemory(written);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsSpan(written);
    }

    /// <summary>Returns the array to the pool.</summary>
    public void Dispose()
    {
        byte[] old = array;
        array = [];
        if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    private void Ensure(int sizeHint)
    {
        int needed = written + Math.Max(sizeHint, 1);
        if (needed <= array.Length)
        {
            return;
        }
        // Doubling keeps the copies to about the final size in total; a message past Array.MaxLength is refused
        // by the size limit long before.
        int size = (int)Math.Min(Array.MaxLength, Math.Max((long)array.Length * 2, needed));
        if (size < needed)
        {
            throw new InsufficientMemoryException("A message cannot be larger than the largest array.");
        }
        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        array.AsSpan(0, written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(array);
        array = bigger;
    }
}
