using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Concur.Serialization;

/// <summary>
/// Compares a value with what came back from a serialization round trip, deeply: fields of user types, elements of
/// collections, keys of dictionaries, the runtime type of every object, a <see cref="DateTime"/>'s kind, a
/// collection's comparer. Used on the first value of each declared type at Submit, so a value that would not arrive
/// as sent is refused there, naming the member that differs.
/// </summary>
internal static class ValueComparer
{
    /// <summary>Returns where and how <paramref name="back"/> differs from <paramref name="sent"/>, or <see langword="null"/> if it does not.</summary>
    /// <param name="declared">The declared type of the value.</param>
    /// <param name="sent">The value sent.</param>
    /// <param name="back">The value read back.</param>
    public static string? Difference(Type declared, object? sent, object? back) =>
        Compare(declared, sent, back, CSharpName.Of(declared), 0);

    private static string? Compare(Type declared, object? a, object? b, string path, int depth)
    {
        if (depth > GraphGuard.MaxDepth * 8)
        {
            return null; // The writer bounds the depth; this only keeps a pathological comparison finite.
        }
        if (a is null || b is null)
        {
            return a is null && b is null ? null : $"{path} was sent as {Show(a)} and arrives as {Show(b)}";
        }
        Type ta = a.GetType();
        Type tb = b.GetType();
        if (ConcurResolver.IsPassedByHandle(ta))
        {
            // Travels by identity (IdentityRoundTrip): the receiver gets the same OS object, not a copy of its data.
            return ReferenceEquals(a, b) ? null : $"{path} was sent as one {CSharpName.Of(ta)} and arrives as another";
        }
        if (ta != tb && !(a is IEnumerable && b is IEnumerable && (ConcurResolver.IsCollectionInterface(declared) || declared.IsArray)))
        {
            return $"{path} was sent as a {CSharpName.Of(ta)} and arrives as a {CSharpName.Of(tb)}";
        }
        switch (a)
        {
            case DateTime d when d != (DateTime)b || d.Kind != ((DateTime)b).Kind:
                return $"{path} was sent as {Show(a)} and arrives as {Show(b)}";
            case DateTimeOffset o when o != (DateTimeOffset)b || o.Offset != ((DateTimeOffset)b).Offset:
                return $"{path} was sent as {Show(a)} and arrives as {Show(b)}";
            case double x when BitConverter.DoubleToInt64Bits(x) != BitConverter.DoubleToInt64Bits((double)b):
            case float y when BitConverter.SingleToInt32Bits(y) != BitConverter.SingleToInt32Bits((float)b):
                return $"{path} was sent as {Show(a)} and arrives as {Show(b)}";
            case DateTime or DateTimeOffset or double or float:
                return null;
        }
        if (ta.IsPrimitive || ta.IsEnum || a is string or decimal)
        {
            return a.Equals(b) ? null : $"{path} was sent as {Show(a)} and arrives as {Show(b)}";
        }
        if (ConcurResolver.IsFieldFormatted(ta))
        {
            foreach (FieldSlot slot in Slots(ta))
            {
                if (Compare(slot.Info.FieldType, slot.Get(a), slot.Get(b), $"{path}.{slot.Name}", depth + 1) is string difference)
                {
                    return difference;
                }
            }
            return null;
        }
        if (ComparerDifference(a, b, path) is string comparer)
        {
            return comparer;
        }
        if (ta.IsArray && ta.GetArrayRank() == 1 && RawArrays.IsRawElement(ta.GetElementType()!))
        {
            // Raw memory both ways: compare the bytes (bit for bit, so NaN payloads and -0.0 count), not boxed elements.
            ReadOnlySpan<byte> sa = OutOfBand.BytesOf((Array)a);
            ReadOnlySpan<byte> sb = OutOfBand.BytesOf((Array)b);
            int at = sa.Length == sb.Length ? sa.CommonPrefixLength(sb) : Math.Min(sa.Length, sb.Length);
            return at == sa.Length && sa.Length == sb.Length ? null
                : $"{path} was sent with {((Array)a).Length} elements and arrives with {((Array)b).Length} elements, which differ from byte {at} on";
        }
        if (a is IDictionary da && b is IDictionary db)
        {
            if (da.Count != db.Count)
            {
                return $"{path} was sent with {da.Count} entries and arrives with {db.Count}";
            }
            Type valueType = GenericArgument(ta, typeof(IDictionary<,>), 1) ?? typeof(object);
            foreach (DictionaryEntry entry in da)
            {
                string at = $"{path}[{Show(entry.Key)}]";
                if (!db.Contains(entry.Key))
                {
                    return $"{at} was sent and does not arrive (its key does not come back equal)";
                }
                if (Compare(valueType, entry.Value, db[entry.Key], at, depth + 1) is string difference)
                {
                    return difference;
                }
            }
            return null;
        }
        if (a is IEnumerable ea && b is IEnumerable eb)
        {
            Type elementType = ta.IsArray ? ta.GetElementType()! : GenericArgument(ta, typeof(IEnumerable<>), 0) ?? typeof(object);
            IEnumerator ia = ea.GetEnumerator();
            IEnumerator ib = eb.GetEnumerator();
            for (int i = 0; ; i++)
            {
                bool more = ia.MoveNext();
                if (more != ib.MoveNext())
                {
                    return $"{path} was sent with {(more ? "more" : "fewer")} elements than arrive (they differ from element {i} on)";
                }
                if (!more)
                {
                    return null;
                }
                if (Compare(elementType, ia.Current, ib.Current, $"{path}[{i}]", depth + 1) is string difference)
                {
                    return difference;
                }
            }
        }
        if (a is ITuple tuple)
        {
            // A tuple's Equals compares its elements with their own Equals, so a tuple holding an array or a user
            // class would never equal its round trip: compare element by element instead (ITuple flattens Rest).
            var other = (ITuple)b;
            Type[] elementTypes = ta.GetGenericArguments();
            for (int i = 0; i < tuple.Length; i++)
            {
                Type elementType = i < elementTypes.Length && i < 7 ? elementTypes[i] : typeof(object);
                if (Compare(elementType, tuple[i], other[i], $"{path}.Item{i + 1}", depth + 1) is string difference)
                {
                    return difference;
                }
            }
            return null;
        }
        if (ta.IsGenericType && ta.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
        {
            Type[] pair = ta.GetGenericArguments();
            return Compare(pair[0], ta.GetProperty("Key")!.GetValue(a), ta.GetProperty("Key")!.GetValue(b), $"{path}.Key", depth + 1)
                ?? Compare(pair[1], ta.GetProperty("Value")!.GetValue(a), ta.GetProperty("Value")!.GetValue(b), $"{path}.Value", depth + 1);
        }
        if (ta.IsValueType || OverridesEquals(ta))
        {
            return a.Equals(b) ? null : $"{path} was sent as {Show(a)} and arrives as {Show(b)}";
        }
        foreach (PropertyInfo property in ta.GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (property.GetIndexParameters().Length == 0 && property.GetMethod is { IsPublic: true })
            {
                if (Compare(property.PropertyType, property.GetValue(a), property.GetValue(b), $"{path}.{property.Name}", depth + 1) is string difference)
                {
                    return difference;
                }
            }
        }
        return null;
    }

    private static IReadOnlyList<FieldSlot> Slots(Type type) =>
        (IReadOnlyList<FieldSlot>)typeof(FieldFormatter<>).MakeGenericType(type)
            .GetProperty(nameof(FieldFormatter<int>.Slots))!
            .GetValue(typeof(FieldFormatter<>).MakeGenericType(type).GetField("Instance")!.GetValue(null))!;

    /// <summary>
    /// A collection built with a comparer of its own (<c>StringComparer.OrdinalIgnoreCase</c>) arrives with the default
    /// one, since comparers do not travel: refused, unless the sent collection's comparer is its type's default.
    /// </summary>
    private static string? ComparerDifference(object a, object b, string path)
    {
        Type type = a.GetType();
        if (type.GetProperty("Comparer", BindingFlags.Instance | BindingFlags.Public) is not { } property ||
            property.GetIndexParameters().Length != 0 || type.GetConstructor(Type.EmptyTypes) is null)
        {
            return null;
        }
        object? sent = property.GetValue(a);
        object? standard = property.GetValue(Activator.CreateInstance(type));
        if (Equals(sent, standard) || (sent is not null && standard is not null && sent.GetType() == standard.GetType()))
        {
            return null;
        }
        return $"{path} was built with the comparer {sent?.GetType().Name ?? "null"}, and comparers do not travel (it " +
            $"would arrive with the default one{(b.GetType() == type ? string.Empty : " of a " + CSharpName.Of(b.GetType()))}). " +
            "Send it without a custom comparer and build the collection with its comparer in the worker";
    }

    private static Type? GenericArgument(Type type, Type openInterface, int index)
    {
        foreach (Type i in type.GetInterfaces())
        {
            if (i.IsGenericType && i.GetGenericTypeDefinition() == openInterface)
            {
                return i.GetGenericArguments()[index];
            }
        }
        return null;
    }

    private static bool OverridesEquals(Type type) =>
        type.GetMethod(nameof(Equals), BindingFlags.Instance | BindingFlags.Public, [typeof(object)])?.DeclaringType != typeof(object);

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{(s.Length > 40 ? s[..40] + "\u2026" : s)}\"",
        DateTime d => $"{d.ToString("o", CultureInfo.InvariantCulture)} (Kind {d.Kind})",
        DateTimeOffset o => o.ToString("o", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ when value.GetType().IsPrimitive => value.ToString()!,
        _ => $"a {CSharpName.Of(value.GetType())}",
    };
}
