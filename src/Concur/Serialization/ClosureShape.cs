using System.Reflection;
using System.Runtime.CompilerServices;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// The layout of a lambda's closure (a compiler-generated display class): its captured variables, each sent by its
/// declared type, and nested display classes for variables captured from outer scopes.
/// </summary>
internal sealed class ClosureShape
{
    private const BindingFlags InstanceFields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    private ClosureShape(Type type, Field[] fields)
    {
        Type = type;
        Fields = fields;
    }

    /// <summary>Gets the display class.</summary>
    public Type Type { get; }

    /// <summary>Gets the captured variables.</summary>
    public Field[] Fields { get; }

    /// <summary>Whether <paramref name="type"/> is a compiler-generated closure or lambda-cache class.</summary>
    public static bool IsCompilerGenerated(Type type) =>
        type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) && type.Name.StartsWith('<');

    /// <summary>Builds the shape of <paramref name="type"/>, rejecting captured variables that cannot travel.</summary>
    /// <exception cref="ArgumentException">A captured variable cannot be sent; the message names it.</exception>
    /// <param name="type">The display class.</param>
    /// <param name="function">The function's description, for messages.</param>
    /// <param name="paramName">The parameter name, for exceptions.</param>
    /// <param name="used">The fields the lambda uses (see <see cref="ClosureUsage"/>); the others are not sent.</param>
    public static ClosureShape Build(Type type, string function, string paramName, HashSet<FieldInfo> used)
    {
        var fields = new List<Field>();
        foreach (FieldInfo field in type.GetFields(InstanceFields))
        {
            if (!used.Contains(field))
            {
                continue;
            }
            if (field.Name == "<>4__this")
            {
                throw new ArgumentException(
                    $"Cannot send {function} to a worker process: it uses 'this' (an instance of {field.FieldType.FullName}), " +
                    "and objects are not captured by reference across processes. Make the lambda static (use only its " +
                    "parameters and local variables), or copy the values it needs from 'this' into local variables first.",
                    paramName);
            }
            if (IsCompilerGenerated(field.FieldType) && field.FieldType.IsClass)
            {
                fields.Add(new Field(field, Build(field.FieldType, function, paramName, used), null));
                continue;
            }
            if (SendableTypes.WhyNot(field.FieldType) is string reason)
            {
                throw new ArgumentException(
                    $"Cannot send {function} to a worker process: it captures the variable '{field.Name}' of type " +
                    $"{field.FieldType.FullName}, which cannot be sent ({reason}). Pass what the worker needs as an " +
                    "argument of a serializable type (numbers, strings, arrays, records and classes with public members), " +
                    "or create it inside the function.",
                    paramName);
            }
            fields.Add(new Field(field, null, ValueCodec.For(field.FieldType)));
        }
        return new ClosureShape(type, fields.ToArray());
    }

    /// <summary>Writes the shape's description for the worker (type and field names; the worker trusts its parent).</summary>
    public void WriteDefinition(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(Type.AssemblyQualifiedName);
        writer.WriteArrayHeader(Fields.Length);
        foreach (Field field in Fields)
        {
            writer.WriteArrayHeader(2);
            writer.Write(field.Info.Name);
            if (field.Nested is null)
            {
                writer.WriteNil();
            }
            else
            {
                field.Nested.WriteDefinition(ref writer);
            }
        }
    }

    /// <summary>Reads a shape written by <see cref="WriteDefinition"/> (in the worker).</summary>
    public static ClosureShape ReadDefinition(ref MessagePackReader reader)
    {
        reader.ReadArrayHeader();
        Type type = Type.GetType(reader.ReadString()!, throwOnError: true)!;
        int count = reader.ReadArrayHeader();
        var fields = new Field[count];
        for (int i = 0; i < count; i++)
        {
            reader.ReadArrayHeader();
            string name = reader.ReadString()!;
            FieldInfo info = type.GetField(name, InstanceFields)
                ?? throw new MissingFieldException(type.FullName, name);
            if (reader.TryReadNil())
            {
                fields[i] = new Field(info, null, ValueCodec.For(info.FieldType));
            }
            else
            {
                fields[i] = new Field(info, ReadDefinition(ref reader), null);
            }
        }
        return new ClosureShape(type, fields);
    }

    /// <summary>Writes the captured values of <paramref name="target"/> (in the parent).</summary>
    /// <exception cref="ArgumentException">A captured value cannot be serialized; the message names it.</exception>
    public void WriteValues(ref MessagePackWriter writer, object target, string function, string paramName)
    {
        foreach (Field field in Fields)
        {
            object? value = field.Info.GetValue(target);
            if (field.Nested is not null)
            {
                if (value is null)
                {
                    writer.WriteNil();
                }
                else
                {
                    writer.WriteArrayHeader(1);
                    field.Nested.WriteValues(ref writer, value, function, paramName);
                }
                continue;
            }
            try
            {
                SendableTypes.CheckRoundTripOnce(field.Info.FieldType, value);
                field.Codec!.Write(ref writer, value);
            }
            catch (Exception e) when (e is MessagePackSerializationException or NotSupportedException or InvalidOperationException or TypeInitializationException or InsufficientExecutionStackException)
            {
                throw new ArgumentException(
                    $"Cannot send {function} to a worker process: " +
                    SendableTypes.Refusal($"the captured variable '{field.Info.Name}'", field.Info.FieldType, e),
                    paramName,
                    e);
            }
        }
    }

    /// <summary>Rebuilds a closure object from the values <see cref="WriteValues"/> wrote (in the worker).</summary>
    public object ReadValues(ref MessagePackReader reader)
    {
        object target = RuntimeHelpers.GetUninitializedObject(Type);
        foreach (Field field in Fields)
        {
            if (field.Nested is not null)
            {
                if (reader.TryReadNil())
                {
                    continue;
                }
                reader.ReadArrayHeader();
                field.Info.SetValue(target, field.Nested.ReadValues(ref reader));
                continue;
            }
            field.Info.SetValue(target, field.Codec!.Read(ref reader));
        }
        return target;
    }

    /// <summary>One captured variable.</summary>
    /// <param name="Info">The display-class field (named after the variable).</param>
    /// <param name="Nested">The shape of an outer scope's display class, when the field is one.</param>
    /// <param name="Codec">How the value travels, when it is a plain captured variable.</param>
    internal sealed record Field(FieldInfo Info, ClosureShape? Nested, ValueCodec? Codec);
}
