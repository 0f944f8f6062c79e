namespace Concur.Processes.Internal;

/// <summary>
/// A complete frame on its way to a worker: one array for the usual small frame, pooled segments for a large one
/// (written segment by segment, never copied into one array), and before it the <see cref="FrameKind.Array"/> frames
/// of the arrays that travel beside its body, each written straight from the array.
/// </summary>
internal sealed class OutgoingFrame
{
    private readonly byte[]? _array;
    private readonly Lock _sync = new();
    private readonly long _id;
    private FrameBuffer? _segments;
    private IReadOnlyList<System.Array>? _arrays;
    private bool _writing;
    private bool _arraysSent;
    private bool _released;

    /// <summary>Wraps a small frame.</summary>
    public OutgoingFrame(byte[] array)
    {
        _array = array;
        Length = array.Length;
    }

    /// <summary>Takes ownership of a frame held in segments, and of the arrays that go before it.</summary>
    /// <param name="segments">The frame.</param>
    /// <param name="id">The frame's id, which its array frames carry too.</param>
    /// <param name="arrays">The arrays its body refers to, or <see langword="null"/>.</param>
    public OutgoingFrame(FrameBuffer segments, long id, IReadOnlyList<System.Array>? arrays)
    {
        _segments = segments;
        _id = id;
        _arrays = arrays is { Count: > 0 } ? arrays : null;
        Length = segments.Length;
        foreach (System.Array a in _arrays ?? [])
        {
            Length += Frame.ArrayFrameOverhead + Serialization.OutOfBand.ByteLength(a);
        }
    }

    /// <summary>Gets the frame's length in bytes, header included (and its array frames).</summary>
    public long Length { get; }

    /// <summary>Gets the frame as one array, or <see langword="null"/> for a segmented frame or one with array frames.</summary>
    public byte[]? Array => _array;

    /// <summary>Wraps a small frame.</summary>
    public static implicit operator OutgoingFrame(byte[] array) => new(array);

    /// <summary>Writes the frame.</summary>
    /// <exception cref="ObjectDisposedException">The frame was released (its task had already finished).</exception>
    public void WriteTo(Stream stream)
    {
        if (_array is not null)
        {
            stream.Write(_array);
            return;
        }
        FrameBuffer buffer;
        IReadOnlyList<System.Array>? before;
        lock (_sync)
        {
            buffer = _segments ?? throw new ObjectDisposedException(nameof(OutgoingFrame));
            before = _arrays;
            _writing = true;
        }
        try
        {
            foreach (System.Array a in before ?? [])
            {
                Frame.WriteArray(stream, FrameKind.Array, _id, a);
            }
            if (before is not null)
            {
                lock (_sync)
                {
                    // The worker answers only after the body, which comes after the arrays: from an answer on, a
                    // release may hand the arrays to the answer's reader even while the body's last bytes go out.
                    _arraysSent = true;
                }
            }
            buffer.WriteTo(stream);
        }
        finally
        {
            bool free;
            IReadOnlyList<System.Array>? snapshots = null;
            lock (_sync)
            {
                _writing = false;
                free = _released && _segments is not null;
                if (free)
                {
                    _segments = null;
                    snapshots = _arrays;
                    _arrays = null;
                }
            }
            if (free)
            {
                buffer.Dispose();
                ArrayRecycler.Shared.Offer(snapshots ?? []);
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
        IReadOnlyList<System.Array>? snapshots = null;
        lock (_sync)
        {
            if (_segments is null || _released)
            {
                return;
            }
            _released = true;
            if (!_writing)
            {
                free = _segments;
                _segments = null;
            }
            if (!_writing || _arraysSent)
            {
                snapshots = _arrays;
                _arrays = null;
            }
        }
        free?.Dispose();
        if (snapshots is not null)
        {
            // Snapshots taken at Submit, seen by nothing but the transport: their memory may take the answer's arrays.
            ArrayRecycler.Shared.Offer(snapshots);
        }
    }
}
