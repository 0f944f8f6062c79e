using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// An exception thrown in a worker, as it travels: only strings, so the parent never instantiates a type named on
/// the wire. It becomes a <see cref="RemoteException"/> in the parent.
/// </summary>
internal static class RemoteError
{
    /// <summary>Writes <paramref name="exception"/> (and its inner exceptions, as text) to <paramref name="writer"/>.</summary>
    public static void Write(ref MessagePackWriter writer, Exception exception)
    {
        if (exception is System.Reflection.TargetInvocationException { InnerException: { } inner })
        {
            exception = inner;
        }
        writer.WriteArrayHeader(4);
        writer.Write(exception.GetType().FullName);
        writer.Write(exception.Message);
        writer.Write(exception.StackTrace ?? string.Empty);
        writer.Write(exception.InnerException?.ToString());
    }

    /// <summary>Reads what <see cref="Write"/> wrote and builds the parent-side exception.</summary>
    public static RemoteException Read(ReadOnlyMemory<byte> body)
    {
        var reader = new MessagePackReader(body);
        int count = reader.ReadArrayHeader();
        string type = count > 0 ? reader.ReadString() ?? "System.Exception" : "System.Exception";
        string message = count > 1 ? reader.ReadString() ?? string.Empty : string.Empty;
        string stack = count > 2 ? reader.ReadString() ?? string.Empty : string.Empty;
        string? inner = count > 3 ? reader.ReadString() : null;
        return new RemoteException(type, message, stack, inner);
    }
}
