using System.Buffers;
using BenchmarkDotNet.Attributes;
using Concur.Serialization;
using MessagePack;

namespace Concur.Benchmarks.Serialization;

/// <summary>
/// Serializing and deserializing a 100 MiB <c>double[]</c> with Concur's payload serializer (raw memory, one block
/// copy each way), against MessagePack's element-by-element encoding of the same array (what Concur wrote before).
/// Throughput is 100 MiB divided by the mean; allocated bytes show the memory each side needs on top of the array.
/// </summary>
[MemoryDiagnoser]
public class LargeArrayBenchmarks
{
    private const int Count = 100 * 1024 * 1024 / sizeof(double);
    private static readonly MessagePackSerializerOptions s_elementwise = MessagePackSerializerOptions.Standard;

    private double[] _values = null!;
    private ArrayBufferWriter<byte> _buffer = null!;
    private byte[] _encoded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _values = new double[Count];
        var random = new Random(7);
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i] = random.NextDouble();
        }
        _buffer = new ArrayBufferWriter<byte>(Count * sizeof(double) + 16);
        Payload.Write<double[]>(_buffer, _values);
        _encoded = _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the array to a stream: the header, then the array's own memory (what a pipe writer sees).</summary>
    [Benchmark]
    public long SerializeToStream()
    {
        using var sink = new CountingStream();
        Payload.Write(sink, _values);
        return sink.Length;
    }

    /// <summary>Reads the array from a stream that holds it, straight into the new array.</summary>
    [Benchmark]
    public int DeserializeFromStream()
    {
        using var source = new MemoryStream(_encoded, writable: false);
        return Payload.Read<double[]>(source).Length;
    }

    /// <summary>Serialize into a reused buffer, then deserialize from it: one round trip.</summary>
    [Benchmark(Baseline = true)]
    public int RoundTrip()
    {
        _buffer.ResetWrittenCount();
        Payload.Write<double[]>(_buffer, _values);
        return Payload.Read<double[]>(new ReadOnlySequence<byte>(_buffer.WrittenMemory)).Length;
    }

    /// <summary>The same round trip with MessagePack's element-by-element encoding (9 bytes per double).</summary>
    [Benchmark]
    public int RoundTripElementwise()
    {
        _buffer.ResetWrittenCount();
        MessagePackSerializer.Serialize(_buffer, _values, s_elementwise);
        return MessagePackSerializer.Deserialize<double[]>(_buffer.WrittenMemory, s_elementwise).Length;
    }

    /// <summary>A write-only stream that counts what it is given.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }
}
