using System.Reflection;
using System.Runtime.InteropServices;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// Writes an array of primitive numbers to a stream without copying it: the <c>bin</c> header, then the array's own
/// memory handed to <see cref="Stream.Write(ReadOnlySpan{byte})"/> (on a little-endian machine). The bytes are the
/// ones <see cref="RawArrays"/> writes.
/// </summary>
/// <typeparam name="T">The declared type.</typeparam>
internal static class StreamWriting<T>
{
    /// <summary>The direct writer, when <typeparamref name="T"/> is an array of primitive numbers on a little-endian machine.</summary>
    public static readonly Action<Stream, T>? Write = Create();

    private static Action<Stream, T>? Create()
    {
        Type type = typeof(T);
        if (!BitConverter.IsLittleEndian || !type.IsArray || type.GetArrayRank() != 1 || !RawArrays.IsRawElement(type.GetElementType()!))
        {
            return null;
        }
        return typeof(StreamWriting<T>).GetMethod(nameof(WriteRaw), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type.GetElementType()!)
            .CreateDelegate<Action<Stream, T>>();
    }

    private static void WriteRaw<E>(Stream output, E[]? values)
        where E : unmanaged
    {
        if (values is null)
        {
            output.WriteByte(MessagePackCode.Nil);
            return;
        }
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        Span<byte> header = stackalloc byte[5];
        output.Write(header[..RawArrays.BinHeader(bytes.Length, header)]);
        output.Write(bytes);
    }
}
