using System.Reflection;
using System.Reflection.Emit;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// One instance field of a user type as <see cref="FieldFormatter{T}"/> sends it: read and written through
/// compiled accessors (private and read-only fields included), its value by the field's declared type.
/// </summary>
internal abstract class FieldSlot
{
    /// <summary>Initializes the slot for <paramref name="info"/>.</summary>
    protected FieldSlot(FieldInfo info)
    {
        Info = info;
        Name = MemberName(info);
    }

    /// <summary>Gets the field.</summary>
    public FieldInfo Info { get; }

    /// <summary>Gets the member's name as written in source: a property's name for its backing field.</summary>
    public string Name { get; }

    /// <summary>Creates the slot for <paramref name="info"/>.</summary>
    public static FieldSlot Create(FieldInfo info) =>
        (FieldSlot)Activator.CreateInstance(typeof(FieldSlot<>).MakeGenericType(info.FieldType), info)!;

    /// <summary>Gets the source name of <paramref name="field"/> (<c>&lt;Name&gt;k__BackingField</c> is <c>Name</c>).</summary>
    public static string MemberName(FieldInfo field)
    {
        string name = field.Name;
        if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is int end and > 1)
        {
            return name[1..end];
        }
        return name;
    }

    /// <summary>Gets the field's value in <paramref name="owner"/>.</summary>
    public abstract object? Get(object owner);

    /// <summary>Writes the field's value in <paramref name="owner"/>.</summary>
    public abstract void Write(ref MessagePackWriter writer, object owner, MessagePackSerializerOptions options);

    /// <summary>Reads a value and stores it in <paramref name="owner"/>'s field.</summary>
    public abstract void Read(ref MessagePackReader reader, object owner, MessagePackSerializerOptions options);
}

/// <summary>The <see cref="FieldSlot"/> of a field declared as <typeparamref name="TField"/>.</summary>
/// <typeparam name="TField">The field's declared type.</typeparam>
internal sealed class FieldSlot<TField> : FieldSlot
{
    private readonly Func<object, TField> _get;
    private readonly Action<object, TField> _set;

    /// <summary>Initializes the slot, compiling its accessors.</summary>
    /// <param name="info">The field.</param>
    public FieldSlot(FieldInfo info)
        : base(info)
    {
        Type owner = info.DeclaringType!;
        var getter = new DynamicMethod($"get_{info.Name}", typeof(TField), [typeof(object)], typeof(FieldSlot).Module, skipVisibility: true);
        ILGenerator il = getter.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(owner.IsValueType ? OpCodes.Unbox : OpCodes.Castclass, owner);
        il.Emit(OpCodes.Ldfld, info);
        il.Emit(OpCodes.Ret);
        _get = getter.CreateDelegate<Func<object, TField>>();

        var setter = new DynamicMethod($"set_{info.Name}", null, [typeof(object), typeof(TField)], typeof(FieldSlot).Module, skipVisibility: true);
        il = setter.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(owner.IsValueType ? OpCodes.Unbox : OpCodes.Castclass, owner);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, info);
        il.Emit(OpCodes.Ret);
        _set = setter.CreateDelegate<Action<object, TField>>();
    }

    /// <inheritdoc/>
    public override object? Get(object owner) => _get(owner);

    /// <inheritdoc/>
    public override void Write(ref MessagePackWriter writer, object owner, MessagePackSerializerOptions options)
    {
        GraphGuard.Member(Name);
        options.Resolver.GetFormatterWithVerify<TField>().Serialize(ref writer, _get(owner), options);
    }

    /// <inheritdoc/>
    public override void Read(ref MessagePackReader reader, object owner, MessagePackSerializerOptions options) =>
        _set(owner, options.Resolver.GetFormatterWithVerify<TField>().Deserialize(ref reader, options));
}
