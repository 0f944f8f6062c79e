using System.Collections.Concurrent;
using System.Reflection;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// Decides whether values of a declared type may travel to another process, and explains why not when they may
/// not. A value travels by its declared type, so the declared type must say everything about it: no
/// <see cref="object"/>, interfaces or abstract classes (that would need type names on the wire), and no types that
/// stand for a live resource in this process (handles, streams, delegates, threads, tasks, reflection objects).
/// </summary>
internal static class SendableTypes
{
    private static readonly ConcurrentDictionary<Type, string?> s_verdicts = new();
    private static readonly ConcurrentDictionary<Type, bool> s_roundTripped = new();

    /// <summary>Returns why values declared as <paramref name="type"/> cannot be sent, or <see langword="null"/>.</summary>
    public static string? WhyNot(Type type) => s_verdicts.GetOrAdd(type, Judge);

    /// <summary>
    /// Serializes and deserializes <paramref name="value"/> the first time a value of <paramref name="declared"/> is
    /// sent, and compares what comes back with what was sent (<see cref="ValueComparer"/>): a type MessagePack can
    /// write but not read back, or that would not arrive as sent, fails at Submit instead of in the worker. Values that
    /// travel by handle (connection ends, queues) come back as themselves (<see cref="IdentityRoundTrip"/>): the check
    /// neither registers nor takes their handle.
    /// </summary>
    /// <exception cref="MessagePackSerializationException">The value does not survive the round trip unchanged; the message names the member.</exception>
    public static void CheckRoundTripOnce(Type declared, object? value)
    {
        if (value is null || s_roundTripped.ContainsKey(declared))
        {
            return;
        }
        ValueCodec codec = ValueCodec.For(declared);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        using (IdentityRoundTrip.Begin())
        {
            codec.Write(ref writer, value);
            writer.Flush();
            var reader = new MessagePackReader(buffer.WrittenMemory);
            ThrowIfDifferent(declared, value, codec.Read(ref reader));
        }
        s_roundTripped.TryAdd(declared, true);
    }

    /// <summary>Like <see cref="CheckRoundTripOnce(Type, object?)"/> for a statically typed value.</summary>
    /// <exception cref="MessagePackSerializationException">The value does not survive the round trip unchanged; the message names the member.</exception>
    public static void CheckRoundTripOnce<T>(T value)
    {
        if (Verified<T>.Done || value is null || Payload.IsPrimitive<T>())
        {
            return;
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        using (IdentityRoundTrip.Begin())
        {
            Payload.Write(ref writer, value);
            writer.Flush();
            ThrowIfDifferent(typeof(T), value, Payload.Read<T>(buffer.WrittenMemory));
        }
        Verified<T>.Done = true;
    }

    /// <summary>
    /// Gets the message for an argument or captured value of <paramref name="declared"/> that cannot be sent, from
    /// the serializer's reason: what it is, why, and what to do.
    /// </summary>
    /// <param name="what">What is refused, as the start of a sentence ("The argument").</param>
    /// <param name="declared">Its declared type.</param>
    /// <param name="error">The serializer's reason.</param>
    /// <param name="destination">Where it was going ("to a worker process", "through a connection").</param>
    public static string Refusal(string what, Type declared, Exception error, string destination = "to a worker process") =>
        $"{what} of type {CSharpName.Of(declared)} cannot be sent {destination}: {error.GetBaseException().Message}. " +
        "Values travel serialized by their declared type: numbers, strings, arrays, collections, and your own classes, " +
        "structs and records (every field travels, private ones included; mark a field [NonSerialized] to leave it behind).";

    private static void ThrowIfDifferent(Type declared, object? sent, object? back)
    {
        if (ValueComparer.Difference(declared, sent, back) is string difference)
        {
            throw new MessagePackSerializationException(
                $"it would not arrive as sent: {difference}. Send a type whose whole state is in its fields (or is a " +
                "collection, number, string or date), declare members with concrete types, or convert the value to " +
                "plain data before sending");
        }
    }

    private static class Verified<T>
    {
        public static volatile bool Done;
    }

    private static string? Judge(Type type)
    {
        if (ConcurResolver.IsPassedByHandle(type))
        {
            return null; // Disposable, but it travels as its handle (PassedByHandleFormatter), not as data.
        }
        if (type.IsPointer || type.IsByRef || type.IsByRefLike)
        {
            return "pointers and by-ref types cannot leave the process";
        }
        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return "delegates cannot be serialized; pass the data the delegate needs instead";
        }
        if (typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask) ||
            type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            return "a task stands for work running in this process and cannot travel as a value; send the data it " +
                "produces instead, or submit an async function (Func<Task<TResult>>, Func<T, Task<TResult>> or " +
                "Func<Task>) to Submit or ProcessPool.ApplyAsync, which awaits it in the worker and sends back its result";
        }
        if (type == typeof(CancellationToken) || type == typeof(Type) || typeof(MemberInfo).IsAssignableFrom(type) ||
            typeof(Assembly).IsAssignableFrom(type) || type == typeof(Thread) ||
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
