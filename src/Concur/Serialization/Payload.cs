using System.Buffers;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// The one serializer configuration for everything that crosses a process boundary: MessagePack with
/// <see cref="ConcurResolver"/> (no attributes needed on user types; user types field by field, .NET types by
/// MessagePack's contractless resolver) under <see cref="MessagePackSecurity.UntrustedData"/>, always by the declared
/// type. No type names travel for ordinary values and the Typeless resolver is never used, so nothing read from the
/// wire can choose which type gets instantiated (only <see cref="ProcessTypeAllowlist"/>'s types, where the declared
/// type is polymorphic).
/// </summary>
/// <remarks>
/// Primitive values, strings and arrays of them are written with <see cref="MessagePackWriter"/> directly, in the
/// exact encoding the resolver's formatters use: setting up MessagePack's resolvers costs 40-50 ms of CPU in a
/// fresh process, which a worker whose first task takes an <c>int</c> would otherwise pay before answering.
/// Arrays of primitive numbers travel as raw memory (<see cref="RawArrays"/>).
/// </remarks>
internal static class Payload
{
    private static readonly Lazy<MessagePackSerializerOptions> s_lazyOptions = new(() => MessagePackSerializerOptions.Standard
        .WithResolver(ConcurResolver.Composite)
        .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(MaxReadDepth)));

    /// <summary>
    /// The nesting depth a reader accepts: MessagePack counts every nested collection and object, so this is a
    /// multiple of <see cref="GraphGuard.MaxDepth"/> (which counts objects only) and a value the writer accepted reads back.
    /// </summary>
    public const int MaxReadDepth = GraphGuard.MaxDepth * 5;

    /// <summary>Gets the serializer options every Concur process boundary uses.</summary>
    public static MessagePackSerializerOptions Options => s_lazyOptions.Value;

    /// <summary>Writes <paramref name="value"/> by its declared type <typeparamref name="T"/>.</summary>
    public static void Write<T>(ref MessagePackWriter writer, T value)
    {
        if (Fast<T>.Write is { } write)
        {
            write(ref writer, value);
            return;
        }
        MessagePackSerializer.Serialize(ref writer, value, Options);
    }

    /// <summary>Reads a value of the declared type <typeparamref name="T"/>.</summary>
    public static T Read<T>(ref MessagePackReader reader) =>
        Fast<T>.Read is { } read ? read(ref reader) : MessagePackSerializer.Deserialize<T>(ref reader, Options);

    /// <summary>Reads a value of the declared type <typeparamref name="T"/> from <paramref name="bytes"/>.</summary>
    public static T Read<T>(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        return Read<T>(ref reader);
    }

    /// <summary>Reads a value of the declared type <typeparamref name="T"/> from <paramref name="bytes"/> (a frame read in segments).</summary>
    public static T Read<T>(ReadOnlySequence<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        return Read<T>(ref reader);
    }

    /// <summary>Writes <paramref name="value"/> by its declared type into <paramref name="output"/> (e.g. a pipe's writer).</summary>
    public static void Write<T>(IBufferWriter<byte> output, T value)
    {
        var writer = new MessagePackWriter(output);
        Write(ref writer, value);
        writer.Flush();
    }

    /// <summary>
    /// Writes <paramref name="value"/> by its declared type to <paramref name="output"/> through a small buffer, so a
    /// large value is never held twice in memory (a raw array goes from the array to the stream in 64 KiB pieces).
    /// </summary>
    public static void Write<T>(Stream output, T value)
    {
        if (StreamWriting<T>.Write is { } raw)
        {
            raw(output, value);
            return;
        }
        using var buffer = new StreamBufferWriter(output);
        Write<T>(buffer, value);
        buffer.Flush();
    }

    /// <summary>
    /// Reads one value of the declared type <typeparamref name="T"/> from <paramref name="input"/>, which holds exactly
    /// that value (e.g. a frame's body). An array of primitive numbers is read straight into the new array; anything
    /// else is read into memory first.
    /// </summary>
    public static T Read<T>(Stream input) => StreamReading.Read<T>(input);

    /// <summary>Gets a value indicating whether <typeparamref name="T"/> takes the fast path (always serializable).</summary>
    public static bool IsPrimitive<T>() => Fast<T>.Write is not null;

    private delegate void Writer<T>(ref MessagePackWriter writer, T value);

    private delegate T Reader<T>(ref MessagePackReader reader);

    private static class Fast<T>
    {
        public static readonly Writer<T>? Write = (Writer<T>?)CreateWriter(typeof(T));
        public static readonly Reader<T>? Read = (Reader<T>?)CreateReader(typeof(T));
    }

    private static Delegate? CreateWriter(Type type) => type switch
    {
        _ when type == typeof(int) => new Writer<int>(static (ref MessagePackWriter w, int v) => w.Write(v)),
        _ when type == typeof(long) => new Writer<long>(static (ref MessagePackWriter w, long v) => w.Write(v)),
        _ when type == typeof(double) => new Writer<double>(static (ref MessagePackWriter w, double v) => w.Write(v)),
        _ when type == typeof(float) => new Writer<float>(static (ref MessagePackWriter w, float v) => w.Write(v)),
        _ when type == typeof(bool) => new Writer<bool>(static (ref MessagePackWriter w, bool v) => w.Write(v)),
        _ when type == typeof(short) => new Writer<short>(static (ref MessagePackWriter w, short v) => w.Write(v)),
        _ when type == typeof(uint) => new Writer<uint>(static (ref MessagePackWriter w, uint v) => w.Write(v)),
        _ when type == typeof(ulong) => new Writer<ulong>(static (ref MessagePackWriter w, ulong v) => w.Write(v)),
        _ when type == typeof(string) => new Writer<string?>(static (ref MessagePackWriter w, string? v) => w.Write(v)),
        _ when type == typeof(byte[]) => new Writer<byte[]?>(RawArrays.Write),
        _ when type == typeof(int[]) => new Writer<int[]?>(RawArrays.Write),
        _ when type == typeof(long[]) => new Writer<long[]?>(RawArrays.Write),
        _ when type == typeof(double[]) => new Writer<double[]?>(RawArrays.Write),
        _ when type == typeof(float[]) => new Writer<float[]?>(RawArrays.Write),
        _ when type == typeof(bool[]) => new Writer<bool[]?>(WriteArray),
        _ when type == typeof(string[]) => new Writer<string?[]?>(WriteArray),
        _ => null,
    };

    private static Delegate? CreateReader(Type type) => type switch
    {
        _ when type == typeof(int) => new Reader<int>(static (ref MessagePackReader r) => r.ReadInt32()),
        _ when type == typeof(long) => new Reader<long>(static (ref MessagePackReader r) => r.ReadInt64()),
        _ when type == typeof(double) => new Reader<double>(static (ref MessagePackReader r) => r.ReadDouble()),
        _ when type == typeof(float) => new Reader<float>(static (ref MessagePackReader r) => r.ReadSingle()),
        _ when type == typeof(bool) => new Reader<bool>(static (ref MessagePackReader r) => r.ReadBoolean()),
        _ when type == typeof(short) => new Reader<short>(static (ref MessagePackReader r) => r.ReadInt16()),
        _ when type == typeof(uint) => new Reader<uint>(static (ref MessagePackReader r) => r.ReadUInt32()),
        _ when type == typeof(ulong) => new Reader<ulong>(static (ref MessagePackReader r) => r.ReadUInt64()),
        _ when type == typeof(string) => new Reader<string?>(static (ref MessagePackReader r) => r.ReadString()),
        _ when type == typeof(byte[]) => new Reader<byte[]?>(RawArrays.Read<byte>),
        _ when type == typeof(int[]) => new Reader<int[]?>(RawArrays.Read<int>),
        _ when type == typeof(long[]) => new Reader<long[]?>(RawArrays.Read<long>),
        _ when type == typeof(double[]) => new Reader<double[]?>(RawArrays.Read<double>),
        _ when type == typeof(float[]) => new Reader<float[]?>(RawArrays.Read<float>),
        _ when type == typeof(bool[]) => new Reader<bool[]?>(static (ref MessagePackReader r) => ReadArray(ref r, static (ref MessagePackReader x) => x.ReadBoolean())),
        _ when type == typeof(string[]) => new Reader<string?[]?>(static (ref MessagePackReader r) => ReadArray(ref r, static (ref MessagePackReader x) => x.ReadString())),
        _ => null,
    };

    private static void WriteArray<T>(ref MessagePackWriter writer, T[]? values)
    {
        if (values is null)
        {
            writer.WriteNil();
            return;
        }
        Writer<T> write = Fast<T>.Write!;
        writer.WriteArrayHeader(values.Length);
        foreach (T value in values)
        {
            write(ref writer, value);
        }
    }

    private static T[]? ReadArray<T>(ref MessagePackReader reader, Reader<T> read)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        int count = reader.ReadArrayHeader();
        var values = new T[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = read(ref reader);
        }
        return values;
    }
}
