using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// Reads one value from a stream that holds exactly it: an array of primitive numbers straight from the stream into
/// the new array (the payload is in memory once), anything else through MessagePack's stream reader.
/// </summary>
internal static class StreamReading
{
    /// <summary>Reads a value of the declared type <typeparamref name="T"/>.</summary>
    public static T Read<T>(Stream input) =>
        Raw<T>.Read is { } read ? read(input) : MessagePackSerializer.Deserialize<T>(input, Payload.Options);

    private static E[]? ReadRaw<E>(Stream input)
        where E : unmanaged
    {
        int first = input.ReadByte();
        long length = first switch
        {
            -1 => throw new EndOfStreamException($"The stream ended before a {typeof(E).Name}[] began."),
            MessagePackCode.Nil => -1,
            MessagePackCode.Bin8 => input.ReadByte() is int b and >= 0 ? b : throw new EndOfStreamException(),
            MessagePackCode.Bin16 => BinaryPrimitives.ReadUInt16BigEndian(Exactly(input, stackalloc byte[2])),
            MessagePackCode.Bin32 => BinaryPrimitives.ReadUInt32BigEndian(Exactly(input, stackalloc byte[4])),
            _ => throw new MessagePackSerializationException($"Expected the bytes of a {typeof(E).Name}[], found code 0x{first:x2}."),
        };
        if (length < 0)
        {
            return null;
        }
        int size = Unsafe.SizeOf<E>();
        if (length % size != 0 || length / size > Array.MaxLength)
        {
            throw new MessagePackSerializationException($"Malformed {typeof(E).Name}[]: {length} bytes is not a whole number of {size}-byte elements.");
        }
        E[] values = length == 0 ? [] : GC.AllocateUninitializedArray<E>((int)(length / size));
        Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        input.ReadExactly(bytes);
        if (!BitConverter.IsLittleEndian && size > 1)
        {
            for (int i = 0; i < bytes.Length; i += size)
            {
                bytes.Slice(i, size).Reverse();
            }
        }
        return values;
    }

    private static Span<byte> Exactly(Stream input, Span<byte> bytes)
    {
        input.ReadExactly(bytes);
        return bytes;
    }

    private static class Raw<T>
    {
        public static readonly Func<Stream, T>? Read = Create();

        private static Func<Stream, T>? Create()
        {
            Type type = typeof(T);
            if (!type.IsArray || type.GetArrayRank() != 1 || !RawArrays.IsRawElement(type.GetElementType()!))
            {
                return null;
            }
            MethodInfo method = typeof(StreamReading).GetMethod(nameof(ReadRaw), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type.GetElementType()!);
            return method.CreateDelegate<Func<Stream, T>>();
        }
    }
}
