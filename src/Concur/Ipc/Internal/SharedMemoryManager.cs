using System.Buffers;

namespace Concur.Ipc.Internal;

/// <summary>
/// The <see cref="Memory{T}"/> of a <see cref="SharedMemory"/>: native memory has no array behind it, so a
/// <see cref="MemoryManager{T}"/> hands out its spans. A pin (<see cref="Memory{T}.Pin"/>, which asynchronous I/O
/// does) holds a reference on the mapping, so that disposing of the block unmaps it only after the last pin is released.
/// </summary>
internal sealed unsafe class SharedMemoryManager(SharedMapping mapping, int length) : MemoryManager<byte>
{
    /// <inheritdoc/>
    public override Span<byte> GetSpan()
    {
        if (mapping.IsClosed)
        {
            throw new ObjectDisposedException(nameof(SharedMemory), "This process has disposed of its SharedMemory.");
        }
        return new Span<byte>(mapping.Address, length);
    }

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)length, nameof(elementIndex));
        bool added = false;
        try
        {
            mapping.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(SharedMemory), "This process has disposed of its SharedMemory.");
        }
        return new MemoryHandle(mapping.Address + elementIndex, default, this);
    }

    /// <inheritdoc/>
    public override void Unpin() => mapping.DangerousRelease();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
    }
}
