using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using MessagePack;
using MessagePack.Formatters;

namespace Concur.Serialization;

/// <summary>
/// The formatter for user-defined classes and structs: every instance field, public or private, read-only or not,
/// travels by its declared type, and the receiver rebuilds the object without running a constructor (as Python's
/// pickle restores <c>__dict__</c>). So what arrives is field for field what was sent, whatever the constructor,
/// properties or visibility. A field marked <see cref="NonSerializedAttribute"/> (or the backing field of a
/// property marked <see cref="IgnoreDataMemberAttribute"/>) stays behind and arrives as its default.
/// </summary>
/// <remarks>
/// The wire form is an array of the field values in declaration order, base class first: no names, no types. Both
/// ends run the same assembly, so both agree on the order; a count that does not match is refused. A type with a
/// field that cannot travel (a stream, a delegate, a handle) is refused when a value of it is written, naming the
/// field. <see cref="ChildProcess"/>'s own fields never travel: a subclass is rebuilt by its parameterless
/// constructor when it has one (so the base is set up in the child), then its own fields are set.
/// </remarks>
/// <typeparam name="T">The user type.</typeparam>
internal sealed class FieldFormatter<T> : IMessagePackFormatter<T>
{
    /// <summary>The one instance.</summary>
    public static readonly FieldFormatter<T> Instance = new();

    private readonly FieldSlot[] _slots;
    private readonly string? _refusal;
    private readonly ConstructorInfo? _constructor;

    private FieldFormatter()
    {
        (_slots, _refusal) = Plan(typeof(T));
        if (typeof(ChildProcess).IsAssignableFrom(typeof(T)))
        {
            _constructor = typeof(T).GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);
        }
    }

    /// <summary>Gets the fields that travel, in wire order.</summary>
    public IReadOnlyList<FieldSlot> Slots => _slots;

    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (_refusal is not null)
        {
            throw new MessagePackSerializationException(_refusal);
        }
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        object boxed = value;
        bool entered = GraphGuard.Enter(boxed, typeof(T), acceptHandOff: true);
        try
        {
            writer.WriteArrayHeader(_slots.Length);
            foreach (FieldSlot slot in _slots)
            {
                slot.Write(ref writer, boxed, options);
            }
        }
        finally
        {
            if (entered)
            {
                GraphGuard.Exit();
            }
        }
    }

    /// <inheritdoc/>
    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (_refusal is not null)
        {
            throw new MessagePackSerializationException(_refusal);
        }
        if (reader.TryReadNil())
        {
            return default!;
        }
        options.Security.DepthStep(ref reader);
        try
        {
            int count = reader.ReadArrayHeader();
            if (count != _slots.Length)
            {
                throw new MessagePackSerializationException(
                    $"Malformed {CSharpName.Of(typeof(T))}: {count} fields arrived, the type has {_slots.Length}.");
            }
            object target = _constructor is not null ? _constructor.Invoke(null) : RuntimeHelpers.GetUninitializedObject(typeof(T));
            foreach (FieldSlot slot in _slots)
            {
                slot.Read(ref reader, target, options);
            }
            return (T)target;
        }
        finally
        {
            reader.Depth--;
        }
    }

    private static (FieldSlot[] Slots, string? Refusal) Plan(Type type)
    {
        var chain = new List<Type>();
        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType) && t != typeof(ChildProcess); t = t.BaseType)
        {
            if (ConcurResolver.IsFrameworkType(t))
            {
                return ([], $"{CSharpName.Of(type)} derives from {CSharpName.Of(t)}, a .NET type whose private state " +
                    "Concur does not send, so it would not arrive as sent. Send its data as a class, struct or record of " +
                    "your own that does not derive from a .NET type");
            }
            chain.Insert(0, t);
        }
        var slots = new List<FieldSlot>();
        foreach (Type t in chain)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.IsDefined(typeof(NonSerializedAttribute), inherit: false) || IsIgnoredBackingField(t, field))
                {
                    continue;
                }
                if (SendableTypes.WhyNot(field.FieldType) is string reason)
                {
                    return ([], $"{CSharpName.Of(type)}.{FieldSlot.MemberName(field)} is a {CSharpName.Of(field.FieldType)}, " +
                        $"which cannot travel between processes ({reason}). Mark it [NonSerialized] (an auto-property: " +
                        "[field: NonSerialized]) if the worker can do without it (it then arrives as its default), or " +
                        "send the data it stands for instead");
                }
                slots.Add(FieldSlot.Create(field));
            }
        }
        return (slots.ToArray(), null);
    }

    private static bool IsIgnoredBackingField(Type owner, FieldInfo field)
    {
        if (!field.Name.EndsWith(">k__BackingField", StringComparison.Ordinal))
        {
            return false;
        }
        PropertyInfo? property = owner.GetProperty(
            FieldSlot.MemberName(field), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
        return property?.IsDefined(typeof(IgnoreDataMemberAttribute), inherit: true) == true;
    }
}
