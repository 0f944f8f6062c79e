using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;

namespace Concur.Processes.Internal;

/// <summary>
/// Reads frames from a pipe in two steps, the header and then the body, so the parent can refuse a frame by its
/// header before waiting for its body. Small frames come out of one 64 KiB buffer (several that arrive together cost
/// one read call); a body that does not fit goes into pooled segments as its bytes arrive, so a length prefix that
/// promises more than comes costs nothing. A body is valid until the next <see cref="TryReadHeader"/>.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    private readonly Stream _stream;
    private readonly long _maxLength;
    private readonly Action? _onWait;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly FrameBuffer _large = new(FrameBuffer.SegmentSize);
    private int _start;
    private int _end;
    private long _spinTicks;
    private long _waitingSince;

    /// <summary>Initializes a reader over <paramref name="stream"/>.</summary>
    /// <param name="stream">The pipe.</param>
    /// <param name="maxLength">The largest frame accepted, header included.</param>
    /// <param name="onWait">Called when a started frame has to wait for more bytes (the supervisor then watches for a stall).</param>
    public FrameReader(Stream stream, long maxLength = (long)int.MaxValue + 4, Action? onWait = null)
    {
        _stream = stream;
        _maxLength = maxLength;
        _onWait = onWait;
    }

    /// <summary>
    /// Sets how long to poll the pipe (spinning, yielding) before a blocking read between frames, in microseconds;
    /// 0 (the default) blocks at once. Works only when the stream is a <see cref="System.IO.Pipes.PipeStream"/>.
    /// </summary>
    public int SpinMicroseconds
    {
        set => _spinTicks = _stream is System.IO.Pipes.PipeStream ? value * Stopwatch.Frequency / 1_000_000 : 0;
    }

    /// <summary>
    /// Gets the <see cref="Stopwatch"/> timestamp of the last progress on a started frame, or 0 between frames.
    /// Read from other threads.
    /// </summary>
    public long WaitingSince => Volatile.Read(ref _waitingSince);

    /// <summary>Gets a description of how far the current frame got (for a "cut off" message).</summary>
    public string Progress { get; private set; } = string.Empty;

    /// <summary>Reads the next frame's header; <see langword="false"/> at end of stream between frames.</summary>
    /// <exception cref="CorruptFrameException">The stream ended inside a header, or the length is impossible or above the limit.</exception>
    public bool TryReadHeader(out FrameHeader header)
    {
        header = default;
        _large.Dispose();
        Volatile.Write(ref _waitingSince, 0);
        if (_end - _start == 0 && !FillSome())
        {
            return false;
        }
        if (!Fill(Frame.HeaderSize))
        {
            throw new CorruptFrameException($"a frame cut off inside its header: {_end - _start} of {Frame.HeaderSize} bytes, then the pipe closed");
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
        var kind = (FrameKind)_buffer[_start + 4];
        long id = BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(_start + 5));
        if (length < Frame.HeaderSize - 4)
        {
            throw new CorruptFrameException($"a frame whose length prefix is {length}, below the {Frame.HeaderSize - 4} bytes every frame has");
        }
        if (4L + length > _maxLength)
        {
            throw new CorruptFrameException(
                $"a {Describe(kind)} frame of {4L + length:N0} bytes, above the limit of {_maxLength:N0} bytes " +
                $"(raise it with the {ChannelLimits.MaxFrameBytesSetting} setting if results really are that large)");
        }
        _start += Frame.HeaderSize;
        header = new FrameHeader(kind, id, length + 4 - Frame.HeaderSize);
        return true;
    }

    /// <summary>Reads the body of the frame whose header was just read.</summary>
    /// <exception cref="CorruptFrameException">The stream ended before the body did.</exception>
    public ReadOnlySequence<byte> ReadBody(in FrameHeader header)
    {
        int bodyLength = header.BodyLength;
        if (bodyLength <= _buffer.Length)
        {
            if (!Fill(bodyLength))
            {
                throw Truncated(header, _end - _start);
            }
            var body = new ReadOnlySequence<byte>(_buffer, _start, bodyLength);
            _start += bodyLength;
            return body;
        }
        // A large body: what is buffered, then the rest straight from the pipe into pooled segments.
        int buffered = _end - _start;
        _large.Write(_buffer.AsSpan(_start, buffered));
        _start = _end = 0;
        Waiting();
        long got = _large.ReadFrom(_stream, bodyLength - buffered, _ => Volatile.Write(ref _waitingSince, Stopwatch.GetTimestamp()));
        if (buffered + got < bodyLength)
        {
            throw Truncated(header, buffered + got);
        }
        Volatile.Write(ref _waitingSince, 0);
        return _large.AsSequence();
    }

    /// <summary>
    /// Reads the body of an <see cref="FrameKind.Array"/> or <see cref="FrameKind.ResultArray"/> frame whose header was
    /// just read: the element type code, then the elements straight from the pipe into a new array of that type.
    /// </summary>
    /// <exception cref="CorruptFrameException">The type code is unknown, the length is not a whole number of elements, or the stream ended early.</exception>
    public Array ReadArray(in FrameHeader header)
    {
        if (header.BodyLength < 1 || !Fill(1))
        {
            throw Truncated(header, 0);
        }
        byte code = _buffer[_start++];
        Type elementType = Serialization.OutOfBand.ElementType((TypeCode)code)
            ?? throw new CorruptFrameException($"an {Describe(header.Kind)} frame for id {header.Id} with the unknown element type code {code}");
        int size = Serialization.OutOfBand.ElementSize(elementType);
        int byteLength = header.BodyLength - 1;
        if (byteLength % size != 0)
        {
            throw new CorruptFrameException(
                $"an {Describe(header.Kind)} frame for id {header.Id} of {byteLength:N0} bytes, not a whole number of {size}-byte {elementType.Name} elements");
        }
        Array array = ArrayRecycler.Shared.Take(elementType, byteLength / size) ?? Serialization.OutOfBand.Allocate(elementType, byteLength / size);
        Span<byte> target = Serialization.OutOfBand.WritableBytesOf(array);
        int buffered = Math.Min(_end - _start, target.Length);
        _buffer.AsSpan(_start, buffered).CopyTo(target);
        _start += buffered;
        int done = buffered;
        if (done < target.Length)
        {
            Waiting();
        }
        while (done < target.Length)
        {
            // Straight from the pipe into the array, in reads of at most 1 MiB so the stall watch sees progress.
            int n = _stream.Read(target.Slice(done, Math.Min(target.Length - done, FrameBuffer.SegmentSize)));
            if (n <= 0)
            {
                throw Truncated(header, 1 + done);
            }
            done += n;
            Volatile.Write(ref _waitingSince, Stopwatch.GetTimestamp());
        }
        Volatile.Write(ref _waitingSince, 0);
        return array;
    }

    /// <summary>Returns the pooled segments.</summary>
    public void Dispose() => _large.Dispose();

    private static string Describe(FrameKind kind) =>
        Enum.IsDefined(kind) ? kind.ToString() : $"unknown kind {(byte)kind}";

    private static CorruptFrameException Truncated(in FrameHeader header, long got) =>
        new($"a {Describe(header.Kind)} frame for id {header.Id} cut off after {got:N0} of its {header.BodyLength:N0} body bytes");

    private void Waiting()
    {
        if (Volatile.Read(ref _waitingSince) == 0)
        {
            Volatile.Write(ref _waitingSince, Stopwatch.GetTimestamp());
            _onWait?.Invoke();
        }
    }

    private bool FillSome()
    {
        _start = _end = 0;
        if (_spinTicks > 0)
        {
            PipeSpin.Wait((System.IO.Pipes.PipeStream)_stream, _spinTicks);
        }
        int n = _stream.Read(_buffer, 0, _buffer.Length);
        if (n <= 0)
        {
            return false;
        }
        _end = n;
        return true;
    }

    private bool Fill(int needed)
    {
        if (_end - _start >= needed)
        {
            return true;
        }
        if (_start > 0)
        {
            // Compact: the previous frame's body is no longer in use.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        Waiting();
        while (_end < needed)
        {
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n <= 0)
            {
                return false;
            }
            _end += n;
            Volatile.Write(ref _waitingSince, Stopwatch.GetTimestamp());
        }
        return true;
    }
}
