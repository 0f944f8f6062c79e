using System.Collections;
using System.Reflection;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Concur.Serialization;

/// <summary>
/// Concur's MessagePack resolver: its own formatters in front of MessagePack's <see cref="NativeDateTimeResolver"/>
/// (a <see cref="DateTime"/> keeps its <see cref="DateTime.Kind"/>) and <see cref="ContractlessStandardResolver"/>
/// (every .NET type MessagePack knows: primitives, strings, collections, tuples, and so on).
/// </summary>
/// <remarks>
/// Concur's formatters: arrays and lists of primitive numbers as raw memory (<see cref="RawArrayFormatter{T}"/>);
/// <c>object</c>, interfaces and abstract classes by the allowlist (<see cref="PolymorphicFormatter{T}"/>), except
/// the generic collection interfaces, which travel as their data; user-defined classes and structs field by field
/// (<see cref="FieldFormatter{T}"/>); connection ends and queues as the handle they stand for
/// (<see cref="PassedByHandleFormatter{T}"/>).
/// </remarks>
internal sealed class ConcurResolver : IFormatterResolver
{
    /// <summary>The resolver Concur serializes with: its formatters, then MessagePack's.</summary>
    public static readonly IFormatterResolver Composite = CompositeResolver.Create(
        NativeDateTimeResolver.Instance, new ConcurResolver(), ContractlessStandardResolver.Instance);

    private static readonly HashSet<Type> s_collectionInterfaces =
    [
        typeof(IEnumerable<>), typeof(ICollection<>), typeof(IList<>), typeof(IReadOnlyCollection<>),
        typeof(IReadOnlyList<>), typeof(ISet<>), typeof(IReadOnlySet<>), typeof(IDictionary<,>),
        typeof(IReadOnlyDictionary<,>), typeof(ILookup<,>), typeof(System.Linq.IGrouping<,>),
    ];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Type?> s_passedByHandle = new();

    private ConcurResolver()
    {
    }

    /// <summary>Gets a value indicating whether <paramref name="type"/> is a generic collection interface (it travels as its data).</summary>
    public static bool IsCollectionInterface(Type type) =>
        type.IsInterface && type.IsGenericType && s_collectionInterfaces.Contains(type.GetGenericTypeDefinition());

    /// <summary>Gets a value indicating whether values declared as <paramref name="type"/> travel with their type's name.</summary>
    public static bool IsPolymorphic(Type type) =>
        type == typeof(object) ||
        (type.IsInterface && !IsCollectionInterface(type)) ||
        (type.IsAbstract && !type.IsSealed && !type.IsInterface && type != typeof(Array) && type != typeof(Enum) && type != typeof(ValueType));

    /// <summary>Gets a value indicating whether <paramref name="type"/> is defined in .NET itself (or in MessagePack).</summary>
    public static bool IsFrameworkType(Type type)
    {
        string name = type.Assembly.GetName().Name ?? string.Empty;
        return name is "mscorlib" or "netstandard" or "System" or "MessagePack" or "MessagePack.Annotations" ||
            name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal);
    }

    /// <summary>
    /// Gets a value indicating whether values of <paramref name="type"/> travel as the operating-system object they
    /// stand for (the type implements <see cref="Ipc.Internal.IPassedByHandle{TSelf}"/> for itself): a connection end, a queue.
    /// </summary>
    public static bool IsPassedByHandle(Type type) => PassedByHandleBase(type) is not null;

    /// <summary>
    /// Gets the class that implements <see cref="Ipc.Internal.IPassedByHandle{TSelf}"/> for <paramref name="type"/>
    /// (the type itself, or a base class it inherits the passing from), or <see langword="null"/>.
    /// </summary>
    public static Type? PassedByHandleBase(Type type) =>
        s_passedByHandle.GetOrAdd(type, static t => t.IsClass
            ? Array.Find(t.GetInterfaces(), i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Ipc.Internal.IPassedByHandle<>) &&
                i.GetGenericArguments()[0].IsAssignableFrom(t))?.GetGenericArguments()[0]
            : null);

    /// <summary>Gets a value indicating whether <paramref name="type"/> is a user type sent field by field.</summary>
    public static bool IsFieldFormatted(Type type) =>
        !type.IsPrimitive && !type.IsEnum && !type.IsArray && !type.IsPointer && !type.IsByRef && !type.IsInterface &&
        !type.IsAbstract && !type.ContainsGenericParameters && !typeof(Delegate).IsAssignableFrom(type) &&
        !IsFrameworkType(type) && !typeof(IEnumerable).IsAssignableFrom(type) &&
        !type.IsDefined(typeof(MessagePackObjectAttribute), inherit: true) &&
        !type.IsDefined(typeof(MessagePackFormatterAttribute), inherit: true) && !IsPassedByHandle(type);

    /// <inheritdoc/>
    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    private static object? Create(Type type)
    {
        if (PassedByHandleBase(type) is { } passing)
        {
            return passing == type
                ? Instance(typeof(PassedByHandleFormatter<>), type)
                : typeof(PassedByHandleSubtypeFormatter<,>).MakeGenericType(type, passing)
                    .GetField("Instance", BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
        }
        if (type.IsArray && type.GetArrayRank() == 1 && RawArrays.IsRawElement(type.GetElementType()!))
        {
            return Instance(typeof(RawArrayFormatter<>), type.GetElementType()!);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) && RawArrays.IsRawElement(type.GetGenericArguments()[0]))
        {
            return Instance(typeof(RawListFormatter<>), type.GetGenericArguments()[0]);
        }
        if (IsPolymorphic(type))
        {
            return Instance(typeof(PolymorphicFormatter<>), type);
        }
        if (IsFieldFormatted(type))
        {
            return Instance(typeof(FieldFormatter<>), type);
        }
        return null;
    }

    private static object Instance(Type open, Type argument) =>
        open.MakeGenericType(argument).GetField("Instance", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = (IMessagePackFormatter<T>?)Create(typeof(T));
    }
}
