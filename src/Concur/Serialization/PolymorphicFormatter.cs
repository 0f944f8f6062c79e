using MessagePack;
using MessagePack.Formatters;

namespace Concur.Serialization;

/// <summary>
/// The formatter for members and values declared as <see cref="object"/>, a (non-collection) interface or an
/// abstract class, wherever they occur: <c>[type name, value]</c>, written only for a type on
/// <see cref="ProcessTypeAllowlist"/> and read only as one. So an <c>object</c> member inside a user type arrives as
/// the type it was sent as, never as a dictionary, and nothing read from the wire names an arbitrary type.
/// </summary>
/// <typeparam name="T">The declared type.</typeparam>
internal sealed class PolymorphicFormatter<T> : IMessagePackFormatter<T>
{
    /// <summary>The one instance.</summary>
    public static readonly PolymorphicFormatter<T> Instance = new();

    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        Type type = value.GetType();
        if (!ProcessTypeAllowlist.IsAllowed(type))
        {
            string fix = CSharpName.CanBeNamed(type)
                ? $"call {CSharpName.AllowCall(type)} before submitting, or declare the member with its concrete type"
                : "it is an anonymous or compiler-generated type, which cannot be allowed: declare a named type for it";
            throw new MessagePackSerializationException(
                $"a value declared as {CSharpName.Of(typeof(T))} is a {CSharpName.Of(type)}, which is not on " +
                $"ProcessTypeAllowlist; {fix}");
        }
        GraphGuard.Enter(value, type, acceptHandOff: false);
        try
        {
            writer.WriteArrayHeader(2);
            writer.Write(type.AssemblyQualifiedName);
            GraphGuard.HandOff(value);
            MessagePackSerializer.Serialize(type, ref writer, value, options);
        }
        finally
        {
            GraphGuard.Exit();
        }
    }

    /// <inheritdoc/>
    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return default!;
        }
        options.Security.DepthStep(ref reader);
        try
        {
            if (reader.ReadArrayHeader() != 2)
            {
                throw new MessagePackSerializationException($"Malformed {CSharpName.Of(typeof(T))} value.");
            }
            string name = reader.ReadString() ?? string.Empty;
            Type type = ProcessTypeAllowlist.Find(name)
                ?? throw new MessagePackSerializationException(
                    $"Refused to read a value of type '{name}': it is not on ProcessTypeAllowlist in this process " +
                    "(allow it here too, before the value arrives).");
            if (!typeof(T).IsAssignableFrom(type))
            {
                throw new MessagePackSerializationException(
                    $"Refused to read a {CSharpName.Of(type)} where a {CSharpName.Of(typeof(T))} is declared.");
            }
            return (T)MessagePackSerializer.Deserialize(type, ref reader, options)!;
        }
        finally
        {
            reader.Depth--;
        }
    }
}
