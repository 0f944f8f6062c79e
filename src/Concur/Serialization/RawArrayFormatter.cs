using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MessagePack;
using MessagePack.Formatters;

namespace Concur.Serialization;

/// <summary>
/// Writes an array of a primitive numeric type as its raw memory: one MessagePack <c>bin</c> value holding the
/// elements' bytes in little-endian order, copied in one block (no per-element encoding). A 100 MiB
/// <c>double[]</c> is written and read at memory speed, and takes exactly its own size on the wire.
/// </summary>
/// <typeparam name="T">The element type: one of <see cref="RawArrays.IsRawElement"/>'s types.</typeparam>
internal sealed class RawArrayFormatter<T> : IMessagePackFormatter<T[]?>
    where T : unmanaged
{
    /// <summary>The one instance.</summary>
    public static readonly RawArrayFormatter<T> Instance = new();

    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, T[]? value, MessagePackSerializerOptions options) =>
        RawArrays.Write<T>(ref writer, value);

    /// <inheritdoc/>
    public T[]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        RawArrays.Read<T>(ref reader);
}

/// <summary>The <see cref="List{T}"/> counterpart of <see cref="RawArrayFormatter{T}"/>: the same encoding.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class RawListFormatter<T> : IMessagePackFormatter<List<T>?>
    where T : unmanaged
{
    /// <summary>The one instance.</summary>
    public static readonly RawListFormatter<T> Instance = new();

    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, List<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        RawArrays.WriteSpan<T>(ref writer, CollectionsMarshal.AsSpan(value));
    }

    /// <inheritdoc/>
    public List<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        ReadOnlySequence<byte> bytes = RawArrays.ReadBlock<T>(ref reader, out int count);
        var list = new List<T>(count);
        CollectionsMarshal.SetCount(list, count);
        RawArrays.CopyInto(bytes, CollectionsMarshal.AsSpan(list));
        return list;
    }
}

/// <summary>The raw-memory encoding shared by <see cref="RawArrayFormatter{T}"/>, <see cref="RawListFormatter{T}"/> and <see cref="Payload"/>'s fast path.</summary>
internal static class RawArrays
{
    /// <summary>Gets a value indicating whether arrays of <paramref name="type"/> travel as raw memory.</summary>
    public static bool IsRawElement(Type type) =>
        type == typeof(byte) || type == typeof(double) || type == typeof(float) || type == typeof(long) || type == typeof(ulong) ||
        type == typeof(int) || type == typeof(uint) || type == typeof(short) || type == typeof(ushort) ||
        type == typeof(sbyte) || type == typeof(char);

    /// <summary>Writes <paramref name="values"/> (nil for <see langword="null"/>).</summary>
    public static void Write<T>(ref MessagePackWriter writer, T[]? values)
        where T : unmanaged
    {
        if (values is null)
        {
            writer.WriteNil();
            return;
        }
        if (OutOfBand.Current is { } outOfBand && BitConverter.IsLittleEndian &&
            (long)values.Length * Unsafe.SizeOf<T>() >= OutOfBand.Threshold)
        {
            outOfBand.Write(ref writer, values);
            return;
        }
        WriteSpan<T>(ref writer, values);
    }

    /// <summary>Writes <paramref name="values"/> as one <c>bin</c> value of their little-endian bytes.</summary>
    public static void WriteSpan<T>(ref MessagePackWriter writer, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        writer.Advance(BinHeader(bytes.Length, writer.GetSpan(5)));
        if (BitConverter.IsLittleEndian || Unsafe.SizeOf<T>() == 1)
        {
            writer.WriteRaw(bytes);
            return;
        }
        WriteSwapped(ref writer, values);
    }

    /// <summary>
    /// Writes the shortest MessagePack <c>bin</c> header for <paramref name="length"/> bytes into
    /// <paramref name="header"/> and returns its size. (<see cref="MessagePackWriter.WriteBinHeader"/> also reserves
    /// room for the bytes that follow, which would make a buffered writer allocate the whole payload once more.)
    /// </summary>
    public static int BinHeader(int length, Span<byte> header)
    {
        if (length <= byte.MaxValue)
        {
            header[0] = MessagePackCode.Bin8;
            header[1] = (byte)length;
            return 2;
        }
        if (length <= ushort.MaxValue)
        {
            header[0] = MessagePackCode.Bin16;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(header[1..], (ushort)length);
            return 3;
        }
        header[0] = MessagePackCode.Bin32;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)length);
        return 5;
    }

    /// <summary>Reads an array written by <see cref="Write{T}"/>.</summary>
    /// <exception cref="MessagePackSerializationException">The value is not a whole number of elements.</exception>
    public static T[]? Read<T>(ref MessagePackReader reader)
        where T : unmanaged
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        if (reader.NextMessagePackType == MessagePackType.Extension)
        {
            return (OutOfBand.Current ?? throw new MessagePackSerializationException(
                $"A reference to an out-of-band {typeof(T).Name}[] in a message that brought no arrays.")).Read<T>(ref reader);
        }
        ReadOnlySequence<byte> bytes = ReadBlock<T>(ref reader, out int count);
        T[] values = count == 0 ? [] : GC.AllocateUninitializedArray<T>(count);
        CopyInto(bytes, values.AsSpan());
        return values;
    }

    /// <summary>Reads the <c>bin</c> value and checks it holds a whole number of <typeparamref name="T"/>.</summary>
    public static ReadOnlySequence<byte> ReadBlock<T>(ref MessagePackReader reader, out int count)
        where T : unmanaged
    {
        ReadOnlySequence<byte> bytes = reader.ReadBytes()
            ?? throw new MessagePackSerializationException($"Expected the bytes of a {typeof(T).Name}[], found nil inside it.");
        int size = Unsafe.SizeOf<T>();
        if (bytes.Length % size != 0)
        {
            throw new MessagePackSerializationException(
                $"Malformed {typeof(T).Name}[]: {bytes.Length} bytes is not a whole number of {size}-byte elements.");
        }
        count = checked((int)(bytes.Length / size));
        return bytes;
    }

    /// <summary>Copies the little-endian element bytes in <paramref name="bytes"/> into <paramref name="target"/>.</summary>
    public static void CopyInto<T>(ReadOnlySequence<byte> bytes, Span<T> target)
        where T : unmanaged
    {
        bytes.CopyTo(MemoryMarshal.AsBytes(target));
        if (!BitConverter.IsLittleEndian && Unsafe.SizeOf<T>() > 1)
        {
            ReverseEach(MemoryMarshal.AsBytes(target), Unsafe.SizeOf<T>());
        }
    }

    private static void WriteSwapped<T>(ref MessagePackWriter writer, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
            int step = chunk.Length / size * size;
            for (int offset = 0; offset < bytes.Length; offset += step)
            {
                int n = Math.Min(step, bytes.Length - offset);
                Span<byte> part = chunk.AsSpan(0, n);
                bytes.Slice(offset, n).CopyTo(part);
                ReverseEach(part, size);
                writer.WriteRaw(part);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static void ReverseEach(Span<byte> bytes, int size)
    {
        for (int i = 0; i < bytes.Length; i += size)
        {
            bytes.Slice(i, size).Reverse();
        }
    }
}
