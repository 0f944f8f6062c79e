using System.Collections.Concurrent;

namespace Concur;

/// <summary>
/// The explicit allowlist of concrete types that may travel to and from worker processes where the declared type is
/// <see cref="object"/>, an interface or an abstract class. Such a value travels with its type's name, and the
/// receiving side instantiates only types on this list; everything else travels by its declared type, with no type
/// name at all.
/// </summary>
/// <remarks>
/// <para>
/// Numbers, <see cref="string"/>, <see cref="char"/>, <see cref="bool"/>, <see cref="decimal"/>,
/// <see cref="DateTime"/>, <see cref="DateTimeOffset"/>, <see cref="TimeSpan"/> and <see cref="Guid"/> are always
/// allowed: an <c>object</c> member holding one arrives as the same type.
/// </para>
/// <para>
/// Register types before submitting work that needs them (the pool sends the list to each worker before its next
/// task). A result declared as <c>object</c> or an interface is read in the parent only if its type is on the
/// parent's list, so a worker cannot make the parent create any other type.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// ProcessTypeAllowlist.Allow&lt;Circle&gt;();                        // Circle : IShape
/// double area = await pool.Submit(static (IShape s) => s.Area(), (IShape)new Circle(2));
/// </code>
/// </example>
public static class ProcessTypeAllowlist
{
    private static readonly ConcurrentDictionary<string, Type> s_byName = new(StringComparer.Ordinal);

    private static readonly Dictionary<string, Type> s_builtin = new Type[]
    {
        typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long),
        typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(char), typeof(string), typeof(DateTime),
        typeof(DateTimeOffset), typeof(TimeSpan), typeof(Guid),
    }.ToDictionary(static t => t.AssemblyQualifiedName!, StringComparer.Ordinal);
    private static int s_version;

    /// <summary>Gets a number that changes whenever a type is added (workers are sent the list when it changes).</summary>
    internal static int Version => Volatile.Read(ref s_version);

    /// <summary>Allows values of <typeparamref name="T"/> where the declared type is <c>object</c>, an interface or an abstract class.</summary>
    /// <typeparam name="T">A concrete type whose values can travel (see the remarks of <see cref="ProcessTypeAllowlist"/>).</typeparam>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is abstract, an interface, <c>object</c>, or cannot travel at all.</exception>
    public static void Allow<T>() => Allow(typeof(T));

    /// <summary>Allows values of <paramref name="type"/> where the declared type is <c>object</c>, an interface or an abstract class.</summary>
    /// <param name="type">A concrete type whose values can travel (see the remarks of <see cref="ProcessTypeAllowlist"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="type"/> is abstract, an interface, <c>object</c>, or cannot travel at all.</exception>
    public static void Allow(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type == typeof(object) || type.IsAbstract || type.IsInterface || type.ContainsGenericParameters)
        {
            throw new ArgumentException(
                $"Only concrete, closed types can be allowed; {Serialization.CSharpName.Of(type)} is not one. Allow the " +
                "concrete types its values have.",
                nameof(type));
        }
        if (Serialization.SendableTypes.WhyNot(type) is string reason)
        {
            throw new ArgumentException(
                $"Values of {Serialization.CSharpName.Of(type)} cannot travel between processes: {reason}.", nameof(type));
        }
        if (s_byName.TryAdd(type.AssemblyQualifiedName!, type))
        {
            Interlocked.Increment(ref s_version);
        }
    }

    /// <summary>Gets a value indicating whether values of <paramref name="type"/> may travel where the declared type is polymorphic.</summary>
    /// <param name="type">The concrete type.</param>
    /// <returns><see langword="true"/> if <paramref name="type"/> has been allowed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is <see langword="null"/>.</exception>
    public static bool IsAllowed(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        string name = type.AssemblyQualifiedName ?? string.Empty;
        return s_builtin.ContainsKey(name) || s_byName.ContainsKey(name);
    }

    /// <summary>Looks up an allowed type by its assembly-qualified name (never loads a type that is not on the list).</summary>
    internal static Type? Find(string name) =>
        s_builtin.TryGetValue(name, out Type? type) || s_byName.TryGetValue(name, out type) ? type : null;

    /// <summary>Gets the names of all allowed types.</summary>
    internal static string[] Snapshot() => s_byName.Keys.ToArray();

    /// <summary>Adds a type named by the parent process (in a worker, which trusts its parent).</summary>
    internal static void AllowFromParent(string name)
    {
        if (!s_byName.ContainsKey(name) && Type.GetType(name, throwOnError: false) is Type type)
        {
            s_byName.TryAdd(name, type);
        }
    }
}
