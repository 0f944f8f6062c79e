using MessagePack;
using MessagePack.Resolvers;

namespace Concur.Serialization;

/// <summary>
/// The one serializer configuration for everything that crosses a process boundary: MessagePack's contractless
/// resolver (no attributes needed on user types) under <see cref="MessagePackSecurity.UntrustedData"/>, always by
/// the declared type. No type names travel for ordinary values and the Typeless resolver is never used, so nothing
/// read from the wire can choose which type gets instantiated.
/// </summary>
/// <remarks>
/// Primitive values, strings and arrays of them are written with <see cref="MessagePackWriter"/> directly, in the
/// exact encoding MessagePack's own formatters use: setting up MessagePack's resolvers costs 40-50 ms of CPU in a
/// fresh process, which a worker whose first task takes an <c>int</c> would otherwise pay before answering.
/// </remarks>
internal static class Payload
{
    private static readonly Lazy<MessagePackSerializerOptions> LazyOptions = new(() => MessagePackSerializerOptions.Standard
        .WithResolver(ContractlessStandardResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData));

    /// <summary>Gets the serializer options every Concur process boundary uses.</summary>
    public static MessagePackSerializerOptions Options => LazyOptions.Value;

    /// <summary>Writes <paramref name="value"/> by its declared type <typeparamref name="T"/>.</summary>
    public static void Write<T>(ref MessagePackWriter writer, T value)
    {
        if (Fast<T>.Write is { } write)
        {
            write(ref writer, value);
            return;
        }
        if (Polymorphic<T>.Is)
        {
            WritePolymorphic(ref writer, value);
            return;
        }
        MessagePackSerializer.Serialize(ref writer, value, Options);
    }

    /// <summary>
    /// Writes a value declared as <c>object</c>, an interface or an abstract class: <c>[type name, value]</c>, only
    /// for a type on <see cref="ProcessTypeAllowlist"/>.
    /// </summary>
    private static void WritePolymorphic<T>(ref MessagePackWriter writer, T value)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        Type type = value.GetType();
        if (!ProcessTypeAllowlist.IsAllowed(type))
        {
            throw new MessagePackSerializationException(
                $"a value declared as {typeof(T).FullName} is a {type.FullName}, which is not on the allowlist; call " +
                $"ProcessTypeAllowlist.Allow<{type.Name}>() first, or declare the concrete type");
        }
        writer.WriteArrayHeader(2);
        writer.Write(type.AssemblyQualifiedName);
        ValueCodec.For(type).Write(ref writer, value);
    }

    private static T ReadPolymorphic<T>(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return default!;
        }
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException($"Malformed {typeof(T).Name} value.");
        }
        string name = reader.ReadString() ?? string.Empty;
        Type type = ProcessTypeAllowlist.Find(name)
            ?? throw new MessagePackSerializationException($"Refused to read a value of type '{name}': it is not on ProcessTypeAllowlist.");
        if (!typeof(T).IsAssignableFrom(type))
        {
            throw new MessagePackSerializationException($"Refused to read a {type.FullName} where a {typeof(T).FullName} is declared.");
        }
        return (T)ValueCodec.For(type).Read(ref reader)!;
    }

    private static class Polymorphic<T>
    {
        public static readonly bool Is = typeof(T) == typeof(object) || typeof(T).IsInterface || (typeof(T).IsAbstract && !typeof(T).IsSealed);
    }

    /// <summary>Reads a value of the declared type <typeparamref name="T"/>.</summary>
    public static T Read<T>(ref MessagePackReader reader) =>
        Fast<T>.Read is { } read ? read(ref reader)
        : Polymorphic<T>.Is ? ReadPolymorphic<T>(ref reader)
        : MessagePackSerializer.Deserialize<T>(ref reader, Options);

    /// <summary>Reads a value of the declared type <typeparamref name="T"/> from <paramref name="bytes"/>.</summary>
    public static T Read<T>(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        return Read<T>(ref reader);
    }

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
        _ when type == typeof(int[]) => new Writer<int[]?>(WriteArray),
        _ when type == typeof(long[]) => new Writer<long[]?>(WriteArray),
        _ when type == typeof(double[]) => new Writer<double[]?>(WriteArray),
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
        _ when type == typeof(int[]) => new Reader<int[]?>(static (ref MessagePackReader r) => ReadArray(ref r, static (ref MessagePackReader x) => x.ReadInt32())),
        _ when type == typeof(long[]) => new Reader<long[]?>(static (ref MessagePackReader r) => ReadArray(ref r, static (ref MessagePackReader x) => x.ReadInt64())),
        _ when type == typeof(double[]) => new Reader<double[]?>(static (ref MessagePackReader r) => ReadArray(ref r, static (ref MessagePackReader x) => x.ReadDouble())),
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
