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

    private readonly List<byte[]> segments = [];
    private readonly List<int> used = []; // Bytes used in each segment but the last.
    private readonly int firstSize;
    private int lastUsed;

    /// <summary>Initializes an empty buffer whose first segment holds <paramref name="firstSize"/> bytes.</summary>
    public FrameBuffer(int firstSize = 4096) => this.firstSize = firstSize;

    /// <summary>Gets the number of bytes written.</summary>
    public long Length { get; private set; }

    /// <summary>Gets the number of segments in use.</summary>
    public int SegmentCount => segments.Count;

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if (count < 0 || segments.Count == 0 || lastUsed + count > segments[^1].Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Advanced past the span handed out.");
        }
        lastUsed += count;
        Length += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureSpace(Math.Max(sizeHint, 1));
        return segments[^1].AsMemory(lastUsed);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureSpace(Math.Max(sizeHint, 1));
        return segments[^1].AsSpan(lastUsed);
    }

    /// <summary>Gets the first <paramref name="count"/> bytes (which must lie in the first segment) to fill in a header.</summary>
    public Span<byte> Head(int count) => segments[0].AsSpan(0, count);

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
        if (segments.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        if (segments.Count == 1)
        {
            return new ReadOnlySequence<byte>(segments[0], 0, lastUsed).Slice(offset);
        }
        var first = new Segment(segments[0].AsMemory(0, Used(0)), 0);
        Segment last = first;
        for (int i = 1; i < segments.Count; i++)
        {
            last = last.Append(segments[i].AsMemory(0, i == segments.Count - 1 ? lastUsed : Used(i)));
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length).Slice(offset);
    }

    /// <summary>Writes everything to <paramref name="stream"/>, one write per segment.</summary>
    public void WriteTo(Stream stream)
    {
        for (int i = 0; i < segments.Count; i++)
        {
            stream.Write(segments[i], 0, i == segments.Count - 1 ? lastUsed : Used(i));
        }
    }

    /// <summary>Copies everything into one new array.</summary>
    public byte[] ToArray() => AsSequence().ToArray();

    /// <summary>Empties the buffer and returns its segments to the pool (it can be written again).</summary>
    public void Dispose()
    {
        foreach (byte[] segment in segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }
        segments.Clear();
        used.Clear();
        lastUsed = 0;
        Length = 0;
    }

    private int Used(int index) => used[index];

    private void EnsureSpace(int sizeHint)
    {
        if (segments.Count > 0 && segments[^1].Length - lastUsed >= sizeHint)
        {
            return;
        }
        if (segments.Count > 0)
        {
            used.Add(lastUsed);
        }
        // Grow geometrically up to SegmentSize, so a small frame stays small and a large one has few segments.
        int size = segments.Count == 0 ? Math.Max(firstSize, sizeHint) : Math.Max(sizeHint, (int)Math.Clamp(Length, 4096, SegmentSize));
        segments.Add(ArrayPool<byte>.Shared.Rent(size));
        lastUsed = 0;
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
