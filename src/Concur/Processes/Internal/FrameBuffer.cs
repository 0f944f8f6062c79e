using System.Buffers;

namespace Concur.Processes.Internal;

/// <summary>
/// A frame held in pooled segments instead of one array: an <see cref="IBufferWriter{T}"/> for the serializer to write
/// into, and a <see cref="ReadOnlySequence{T}"/> for it to read from. A large payload costs its own size once (no
/// doubling while it grows, no copy to an exact-size array), and the segments go back to the pool when released.
/// </summary>
/// <remarks>Not thread-safe: one writer, then readers, then <see cref="Dispose"/>.</remarks>
internal sealed class FrameBuffer : IBufferWriter<byte>, IDisposable
{
    /// <summary>The size of a segment (requests for more get a segment of their own size).</summary>
    public const int SegmentSize = 1 << 20;

    private readonly List<byte[]> _segments = [];
    private readonly List<int> _used = []; // Bytes used in each segment but the last.
    private readonly int _firstSize;
    private int _lastUsed;

    /// <summary>Initializes an empty buffer whose first segment holds <paramref name="firstSize"/> bytes.</summary>
    public FrameBuffer(int firstSize = 4096) => _firstSize = firstSize;

    /// <summary>Gets the number of bytes written.</summary>
    public long Length { get; private set; }

    /// <summary>Gets the number of segments in use.</summary>
    public int SegmentCount => _segments.Count;

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if (count < 0 || _segments.Count == 0 || _lastUsed + count > _segments[^1].Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Advanced past the span handed out.");
        }
        _lastUsed += count;
        Length += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureSpace(Math.Max(sizeHint, 1));
        return _segments[^1].AsMemory(_lastUsed);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureSpace(Math.Max(sizeHint, 1));
        return _segments[^1].AsSpan(_lastUsed);
    }

    /// <summary>Gets the first <paramref name="count"/> bytes (which must lie in the first segment) to fill in a header.</summary>
    public Span<byte> Head(int count) => _segments[0].AsSpan(0, count);

    /// <summary>Reads exactly <paramref name="count"/> bytes from <paramref name="stream"/> into the buffer.</summary>
    /// <param name="stream">The stream to read.</param>
    /// <param name="count">How many bytes to read.</param>
    /// <param name="progress">Called after each read with the bytes read so far.</param>
    /// <returns>How many bytes were read: less than <paramref name="count"/> only at end of stream.</returns>
    public long ReadFrom(Stream stream, long count, Action<long>? progress = null)
    {
        long done = 0;
        while (done < count)
        {
            // Segments are allocated as bytes arrive, so a length prefix that promises more than comes costs nothing.
            // Fill what is left of the current segment before taking another (a pipe read returns 64 KiB at most).
            Memory<byte> target = GetMemory(1);
            int want = (int)Math.Min(target.Length, count - done);
            int n = stream.Read(target.Span[..want]);
            if (n <= 0)
            {
                break;
            }
            Advance(n);
            done += n;
            progress?.Invoke(done);
        }
        return done;
    }

    /// <summary>Gets the bytes written, from <paramref name="offset"/> on.</summary>
    public ReadOnlySequence<byte> AsSequence(long offset = 0)
    {
        if (_segments.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        if (_segments.Count == 1)
        {
            return new ReadOnlySequence<byte>(_segments[0], 0, _lastUsed).Slice(offset);
        }
        var first = new Segment(_segments[0].AsMemory(0, Used(0)), 0);
        Segment last = first;
        for (int i = 1; i < _segments.Count; i++)
        {
            last = last.Append(_segments[i].AsMemory(0, i == _segments.Count - 1 ? _lastUsed : Used(i)));
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length).Slice(offset);
    }

    /// <summary>Writes everything to <paramref name="stream"/>, one write per segment.</summary>
    public void WriteTo(Stream stream)
    {
        for (int i = 0; i < _segments.Count; i++)
        {
            stream.Write(_segments[i], 0, i == _segments.Count - 1 ? _lastUsed : Used(i));
        }
    }

    /// <summary>Copies everything into one new array.</summary>
    public byte[] ToArray() => AsSequence().ToArray();

    /// <summary>Empties the buffer and returns its segments to the pool (it can be written again).</summary>
    public void Dispose()
    {
        foreach (byte[] segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }
        _segments.Clear();
        _used.Clear();
        _lastUsed = 0;
        Length = 0;
    }

    private int Used(int index) => _used[index];

    private void EnsureSpace(int sizeHint)
    {
        if (_segments.Count > 0 && _segments[^1].Length - _lastUsed >= sizeHint)
        {
            return;
        }
        if (_segments.Count > 0)
        {
            _used.Add(_lastUsed);
        }
        // Grow geometrically up to SegmentSize, so a small frame stays small and a large one has few segments.
        int size = _segments.Count == 0 ? Math.Max(_firstSize, sizeHint) : Math.Max(sizeHint, (int)Math.Clamp(Length, 4096, SegmentSize));
        _segments.Add(ArrayPool<byte>.Shared.Rent(size));
        _lastUsed = 0;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
