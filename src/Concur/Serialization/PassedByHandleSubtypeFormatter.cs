using Concur.Ipc.Internal;
using MessagePack;
using MessagePack.Formatters;

namespace Concur.Serialization;

/// <summary>
/// The formatter for a class that inherits its passing by handle from a base class (a
/// <c>JoinableProcessQueue&lt;T&gt;</c> deriving from a queue that implements <see cref="IPassedByHandle{TSelf}"/>):
/// it travels through the base's formatter, and the base's <see cref="IPassedByHandle{TSelf}.FromTransfer"/> rebuilds
/// the right subclass from the state it sent.
/// </summary>
/// <typeparam name="T">The declared type.</typeparam>
/// <typeparam name="TBase">The class that implements <see cref="IPassedByHandle{TSelf}"/>.</typeparam>
internal sealed class PassedByHandleSubtypeFormatter<T, TBase> : IMessagePackFormatter<T?>
    where T : class, TBase
    where TBase : class, IPassedByHandle<TBase>
{
    /// <summary>The one instance.</summary>
    public static readonly PassedByHandleSubtypeFormatter<T, TBase> Instance = new();

    private PassedByHandleSubtypeFormatter()
    {
    }

    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options) =>
        PassedByHandleFormatter<TBase>.Instance.Serialize(ref writer, value, options);

    /// <inheritdoc/>
    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        TBase? value = PassedByHandleFormatter<TBase>.Instance.Deserialize(ref reader, options);
        if (value is null or T)
        {
            return (T?)value;
        }
        (value as IDisposable)?.Dispose(); // This process's copy of a handle nobody will use.
        throw new MessagePackSerializationException(
            $"A {HandleSharer.ShortName(value.GetType())} arrived where a {HandleSharer.ShortName(typeof(T))} was declared.");
    }
}
