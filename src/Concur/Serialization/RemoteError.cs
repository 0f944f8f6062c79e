using System.Collections;
using System.Globalization;
using System.Reflection;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// An exception thrown in a worker, as it travels: strings and plain data only (numbers, booleans, strings), so the
/// parent never instantiates a type named on the wire. It becomes a <see cref="RemoteException"/> in the parent,
/// with the exception's own public properties (a custom exception's <c>Code</c>, an
/// <see cref="ArgumentException"/>'s <c>ParamName</c>) in <see cref="RemoteException.Properties"/> and its
/// <see cref="Exception.Data"/> in <see cref="Exception.Data"/>.
/// </summary>
internal static class RemoteError
{
    /// <summary>The most properties or data entries that travel with one exception; the rest are left out.</summary>
    public const int MaxEntries = 64;

    private static readonly HashSet<string> s_baseProperties = typeof(Exception)
        .GetProperties(BindingFlags.Instance | BindingFlags.Public).Select(static p => p.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>Writes <paramref name="exception"/> (and its inner exceptions, as text) to <paramref name="writer"/>.</summary>
    public static void Write(ref MessagePackWriter writer, Exception exception)
    {
        if (exception is TargetInvocationException { InnerException: { } inner })
        {
            exception = inner;
        }
        string message = exception.Message;
        if (exception is MessagePackSerializationException { InnerException: not null } && exception.GetBaseException() is { } reason)
        {
            message = $"{message} {reason.Message}"; // MessagePack's wrapper names the type, the innermost says why.
        }
        writer.WriteArrayHeader(6);
        writer.Write(exception.GetType().FullName);
        writer.Write(message);
        writer.Write(exception.StackTrace ?? string.Empty);
        writer.Write(exception.InnerException?.ToString());
        WriteEntries(ref writer, PublicProperties(exception));
        WriteEntries(ref writer, DataEntries(exception));
    }

    /// <summary>Reads what <see cref="Write"/> wrote and builds the parent-side exception.</summary>
    /// <exception cref="MessagePackSerializationException">The body is malformed.</exception>
    public static RemoteException Read(ReadOnlyMemory<byte> body)
    {
        var reader = new MessagePackReader(body);
        int count = reader.ReadArrayHeader();
        string type = count > 0 ? reader.ReadString() ?? "System.Exception" : "System.Exception";
        string message = count > 1 ? reader.ReadString() ?? string.Empty : string.Empty;
        string stack = count > 2 ? reader.ReadString() ?? string.Empty : string.Empty;
        string? inner = count > 3 ? reader.ReadString() : null;
        Dictionary<string, object?> properties = count > 4 ? ReadEntries(ref reader) : [];
        Dictionary<string, object?> data = count > 5 ? ReadEntries(ref reader) : [];
        var exception = new RemoteException(type, message, stack, inner, properties);
        foreach ((string key, object? value) in data)
        {
            exception.Data[key] = value;
        }
        return exception;
    }

    private static IEnumerable<KeyValuePair<string, object?>> PublicProperties(Exception exception)
    {
        foreach (PropertyInfo property in exception.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (s_baseProperties.Contains(property.Name) || property.GetIndexParameters().Length != 0 || property.GetMethod is null)
            {
                continue;
            }
            object? value;
            try
            {
                value = property.GetValue(exception);
            }
            catch (TargetInvocationException)
            {
                continue; // A property that throws is not data.
            }
            yield return new(property.Name, value);
        }
    }

    private static IEnumerable<KeyValuePair<string, object?>> DataEntries(Exception exception)
    {
        foreach (DictionaryEntry entry in exception.Data)
        {
            yield return new(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty, entry.Value);
        }
    }

    private static void WriteEntries(ref MessagePackWriter writer, IEnumerable<KeyValuePair<string, object?>> entries)
    {
        List<KeyValuePair<string, object?>> list = entries.Take(MaxEntries).ToList();
        writer.WriteMapHeader(list.Count);
        foreach ((string key, object? value) in list)
        {
            writer.Write(key);
            WritePlain(ref writer, value);
        }
    }

    /// <summary>Writes a value as plain data: numbers and booleans as such, enums by name, everything else as its invariant text.</summary>
    private static void WritePlain(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case bool b: writer.Write(b); break;
            case string s: writer.Write(s); break;
            case Enum e: writer.Write(e.ToString()); break;
            case byte or sbyte or short or ushort or int or long: writer.Write(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case uint or ulong: writer.Write(Convert.ToUInt64(value, CultureInfo.InvariantCulture)); break;
            case float f: writer.Write(f); break;
            case double d: writer.Write(d); break;
            case DateTime t: writer.Write(t.ToString("o", CultureInfo.InvariantCulture)); break;
            case DateTimeOffset o: writer.Write(o.ToString("o", CultureInfo.InvariantCulture)); break;
            case IFormattable f: writer.Write(f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: writer.Write(value.ToString()); break;
        }
    }

    private static Dictionary<string, object?> ReadEntries(ref MessagePackReader reader)
    {
        var entries = new Dictionary<string, object?>(StringComparer.Ordinal);
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            string key = reader.ReadString() ?? string.Empty;
            object? value = reader.NextMessagePackType switch
            {
                MessagePackType.Nil => ReadNil(ref reader),
                MessagePackType.Boolean => reader.ReadBoolean(),
                MessagePackType.Integer => reader.NextCode == MessagePackCode.UInt64 ? reader.ReadUInt64() : reader.ReadInt64(),
                MessagePackType.Float => reader.ReadDouble(),
                MessagePackType.String => reader.ReadString(),
                _ => throw new MessagePackSerializationException("Malformed exception data: only plain values travel."),
            };
            if (entries.Count < MaxEntries)
            {
                entries[key] = value;
            }
        }
        return entries;
    }

    private static object? ReadNil(ref MessagePackReader reader)
    {
        reader.ReadNil();
        return null;
    }
}
