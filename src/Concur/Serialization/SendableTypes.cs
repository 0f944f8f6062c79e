using System.Collections.Concurrent;
using System.Reflection;

namespace Concur.Serialization;

/// <summary>
/// Decides whether values of a declared type may travel to another process, and explains why not when they may
/// not. A value travels by its declared type, so the declared type must say everything about it: no
/// <see cref="object"/>, interfaces or abstract classes (that would need type names on the wire), and no types that
/// stand for a live resource in this process (handles, streams, delegates, threads, tasks, reflection objects).
/// </summary>
internal static class SendableTypes
{
    private static readonly ConcurrentDictionary<Type, string?> Verdicts = new();
    private static readonly ConcurrentDictionary<Type, bool> RoundTripped = new();

    /// <summary>Returns why values declared as <paramref name="type"/> cannot be sent, or <see langword="null"/>.</summary>
    public static string? WhyNot(Type type) => Verdicts.GetOrAdd(type, Judge);

    /// <summary>
    /// Serializes and deserializes <paramref name="value"/> the first time a value of <paramref name="declared"/> is
    /// sent, so a type MessagePack can write but not read back fails at Submit instead of in the worker.
    /// </summary>
    public static void CheckRoundTripOnce(Type declared, object? value)
    {
        if (value is null || RoundTripped.ContainsKey(declared))
        {
            return;
        }
        ValueCodec.For(declared).RoundTrip(value);
        RoundTripped.TryAdd(declared, true);
    }

    /// <summary>Like <see cref="CheckRoundTripOnce(Type, object?)"/> for a statically typed value, without boxing.</summary>
    public static void CheckRoundTripOnce<T>(T value)
    {
        if (Verified<T>.Done || value is null || Payload.IsPrimitive<T>())
        {
            return;
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        var writer = new MessagePack.MessagePackWriter(buffer);
        Payload.Write(ref writer, value);
        writer.Flush();
        Payload.Read<T>(buffer.WrittenMemory);
        Verified<T>.Done = true;
    }

    private static class Verified<T>
    {
        public static volatile bool Done;
    }

    private static string? Judge(Type type)
    {
        if (type.IsPointer || type.IsByRef || type.IsByRefLike)
        {
            return "pointers and by-ref types cannot leave the process";
        }
        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return "delegates cannot be serialized; pass the data the delegate needs instead";
        }
        if (type == typeof(CancellationToken) || type == typeof(Type) || typeof(MemberInfo).IsAssignableFrom(type) ||
            typeof(Assembly).IsAssignableFrom(type) || typeof(Task).IsAssignableFrom(type) || type == typeof(Thread) ||
            typeof(WaitHandle).IsAssignableFrom(type) || typeof(System.Runtime.InteropServices.SafeHandle).IsAssignableFrom(type))
        {
            return "it stands for something that exists only in this process";
        }
        if (typeof(IDisposable).IsAssignableFrom(type) || typeof(IAsyncDisposable).IsAssignableFrom(type))
        {
            return "it is disposable, so it holds a resource (a connection, a stream, a handle) that exists only in this process";
        }
        // object, interfaces and abstract classes are checked per value: the runtime type must be on
        // ProcessTypeAllowlist (Payload.Write).
        if (type.IsArray)
        {
            return WhyNot(type.GetElementType()!);
        }
        if (type.IsGenericType)
        {
            foreach (Type argument in type.GetGenericArguments())
            {
                if (argument.IsInterface || argument.IsAbstract || argument == typeof(object))
                {
                    continue; // e.g. IEqualityComparer-free collections of concrete types are checked by round trip.
                }
                if (WhyNot(argument) is string reason)
                {
                    return reason;
                }
            }
        }
        return null;
    }
}
