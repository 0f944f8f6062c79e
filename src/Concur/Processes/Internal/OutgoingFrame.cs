namespace Concur.Processes.Internal;

/// <summary>
/// A complete frame on its way to a worker: one array for the usual small frame, pooled segments for a large one
/// (written segment by segment, never copied into one array).
/// </summary>
internal sealed class OutgoingFrame
{
    private readonly byte[]? array;
    private readonly Lock sync = new();
    private FrameBuffer? segments;
    private bool writing;
    private bool released;

    /// <summary>Wraps a small frame.</summary>
    public OutgoingFrame(byte[] array)
    {
        this.array = array;
        Length = array.Length;
    }

    /// <summary>Takes ownership of a large frame's segments.</summary>
    public OutgoingFrame(FrameBuffer segments)
    {
        this.segments = segments;
        Length = segments.Length;
    }

    /// <summary>Gets the frame's length in bytes, header included.</summary>
    public long Length { get; }

    /// <summary>Gets the frame as one array, or <see langword="null"/> for a segmented frame.</summary>
    public byte[]? Array => array;

    /// <summary>Wraps a small frame.</summary>
    public static implicit operator OutgoingFrame(byte[] array) => new(array);

    /// <summary>Writes the frame.</summary>
    /// <exception cref="ObjectDisposedException">The frame was released (its task had already finished).</exception>
    public void WriteTo(Stream stream)
    {
        if (array is not null)
        {
            stream.Write(array);
            return;
        }
        FrameBuffer buffer;
        lock (sync)
        {
            buffer = segments ?? throw new ObjectDisposedException(nameof(OutgoingFrame));
            writing = true;
        }
        try
        {
            buffer.WriteTo(stream);
        }
        finally
        {
            bool free;
            lock (sync)
            {
                writing = false;
                free = released && segments is not null;
                if (free)
                {
                    segments = null;
                }
            }
            if (free)
            {
                buffer.Dispose();
            }
        }
    }

    /// <summary>
    /// Returns a segmented frame's memory to the pool. Called once the frame can no longer be sent: its task has an
    /// answer, or has ended.
    /// </summary>
    /// <remarks>A release during a write (a worker that answers before reading all of its call) waits for the write's end.</remarks>
    public void Release()
    {
        FrameBuffer? free = null;
        lock (sync)
        {
            if (segments is null || released)
            {
                return;
            }
            released = true;
            if (!writing)
            {
                free = segments;
                segments = null;
            }
        }
        free?.Dispose();
    }
}
