using System.Runtime.CompilerServices;
using System.Text;

namespace Concur.Serialization;

/// <summary>
/// Renders a <see cref="Type"/> as C# source (<c>List&lt;int&gt;</c>, <c>int[]</c>, <c>(int, string)</c>,
/// <c>Outer.Inner</c>), so every hint a message gives can be pasted into code and compiles.
/// </summary>
/// <remarks>
/// Types in the namespaces a .NET project imports by default (implicit usings) are written without their namespace;
/// all others with it, so the hint compiles without adding a <c>using</c>.
/// </remarks>
internal static class CSharpName
{
    private static readonly HashSet<string> s_implicitNamespaces = new(StringComparer.Ordinal)
    {
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading",
        "System.Threading.Tasks",
    };

    private static readonly Dictionary<Type, string> s_keywords = new()
    {
        [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(char)] = "char",
        [typeof(short)] = "short", [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint",
        [typeof(long)] = "long", [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double",
        [typeof(decimal)] = "decimal", [typeof(string)] = "string", [typeof(object)] = "object",
        [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    /// <summary>Gets the C# spelling of <paramref name="type"/>.</summary>
    public static string Of(Type type)
    {
        var text = new StringBuilder();
        Append(text, type);
        return text.ToString();
    }

    /// <summary>Gets a value indicating whether <paramref name="type"/> can be named in C# source (not anonymous or compiler-generated).</summary>
    public static bool CanBeNamed(Type type)
    {
        if (type.HasElementType)
        {
            return CanBeNamed(type.GetElementType()!);
        }
        for (Type? t = type; t is not null; t = t.DeclaringType)
        {
            if (t.Name.Contains('<', StringComparison.Ordinal) || t.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
            {
                return false;
            }
        }
        return !type.IsGenericType || type.GetGenericArguments().All(CanBeNamed);
    }

    /// <summary>Gets the call that allows <paramref name="type"/>, e.g. <c>ProcessTypeAllowlist.Allow&lt;List&lt;int&gt;&gt;()</c>.</summary>
    public static string AllowCall(Type type) => $"ProcessTypeAllowlist.Allow<{Of(type)}>()";

    private static void Append(StringBuilder text, Type type)
    {
        if (s_keywords.TryGetValue(type, out string? keyword))
        {
            text.Append(keyword);
            return;
        }
        if (type.IsArray)
        {
            Append(text, type.GetElementType()!);
            text.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }
        if (type.IsPointer)
        {
            Append(text, type.GetElementType()!);
            text.Append('*');
            return;
        }
        if (type.IsByRef)
        {
            Append(text, type.GetElementType()!);
            return;
        }
        if (type.IsGenericParameter)
        {
            text.Append(type.Name);
            return;
        }
        if (Nullable.GetUnderlyingType(type) is Type underlying)
        {
            Append(text, underlying);
            text.Append('?');
            return;
        }
        if (type.IsGenericType && type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true &&
            type.GetGenericArguments().Length is >= 2 and <= 7)
        {
            text.Append('(');
            Type[] items = type.GetGenericArguments();
            for (int i = 0; i < items.Length; i++)
            {
                text.Append(i == 0 ? string.Empty : ", ");
                Append(text, items[i]);
            }
            text.Append(')');
            return;
        }

        // Outer types first; each level takes its own share of the generic arguments (nested types repeat the
        // outer type's parameters in theirs).
        var chain = new List<Type>();
        for (Type? t = type; t is not null; t = t.DeclaringType)
        {
            chain.Insert(0, t);
        }
        Type[] arguments = type.IsGenericType ? type.GetGenericArguments() : [];
        if (chain[0].Namespace is { Length: > 0 } ns && !s_implicitNamespaces.Contains(ns))
        {
            text.Append(ns).Append('.');
        }
        int used = 0;
        for (int level = 0; level < chain.Count; level++)
        {
            Type t = chain[level];
            if (level > 0)
            {
                text.Append('.');
            }
            string name = t.Name;
            int tick = name.IndexOf('`', StringComparison.Ordinal);
            int own = 0;
            if (tick >= 0)
            {
                own = int.Parse(name.AsSpan(tick + 1), System.Globalization.CultureInfo.InvariantCulture);
                name = name[..tick];
            }
            text.Append(name);
            if (own > 0)
            {
                text.Append('<');
                for (int i = 0; i < own; i++)
                {
                    text.Append(i == 0 ? string.Empty : ", ");
                    if (used < arguments.Length)
                    {
                        Append(text, arguments[used++]);
                    }
                }
                text.Append('>');
            }
        }
    }
}
