using System.Collections.Concurrent;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// Writes and reads a boxed value by a type known only at run time (a captured field's declared type), through a
/// cached <see cref="ValueCodec{T}"/> so the serializer itself always works with the static type.
/// </summary>
internal abstract class ValueCodec
{
    private static readonly ConcurrentDictionary<Type, ValueCodec> s_cache = new();

    /// <summary>Gets the codec for values declared as <paramref name="type"/>.</summary>
    public static ValueCodec For(Type type) =>
        s_cache.GetOrAdd(type, static t => (ValueCodec)Activator.CreateInstance(typeof(ValueCodec<>).MakeGenericType(t))!);

    /// <summary>Writes <paramref name="value"/> by the declared type.</summary>
    public abstract void Write(ref MessagePackWriter writer, object? value);

    /// <summary>Reads a value of the declared type.</summary>
    public abstract object? Read(ref MessagePackReader reader);
}

/// <summary>The <see cref="ValueCodec"/> for values declared as <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The declared type.</typeparam>
internal sealed class ValueCodec<T> : ValueCodec
{
    /// <inheritdoc/>
    public override void Write(ref MessagePackWriter writer, object? value) =>
        Payload.Write(ref writer, (T)value!);

    /// <inheritdoc/>
    public override object? Read(ref MessagePackReader reader) =>
        Payload.Read<T>(ref reader);
}
