using Concur.Serialization;
using MessagePack;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// Serializes the keys, values and arguments that go to a manager, under the rules every Concur process boundary
/// follows (<see cref="SendableTypes"/>, <see cref="Payload"/>): by the declared type, refused in the caller with a
/// message naming the type when it cannot travel or would not arrive as sent, before anything is sent.
/// </summary>
internal static class ManagerCodec
{
    /// <summary>How refusals name where a value goes.</summary>
    public const string ToManager = "to a process manager";

    /// <summary>Writes <paramref name="value"/> as a blob.</summary>
    /// <exception cref="ArgumentException">The value cannot travel; nothing was sent.</exception>
    public static void WriteBlob<T>(FrameBuilder frame, T value, string parameterName)
    {
        if (Verdict<T>.Reason is not null)
        {
            ThrowIfUnsendable(typeof(T), parameterName);
        }
        int at = frame.BeginBlob();
        try
        {
            using (OutOfBand.Use(null))
            {
                SendableTypes.CheckRoundTripOnce(value);
                Payload.Write(frame, value);
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or NotSupportedException or InvalidOperationException or TypeInitializationException or InsufficientExecutionStackException)
        {
            throw new ArgumentException(SendableTypes.Refusal("The value", typeof(T), e, ToManager), parameterName, e);
        }
        frame.EndBlob(at);
        if (frame.BodyLength > Connection.DefaultMaxMessageSize)
        {
            throw new ArgumentException(
                $"The value of type {CSharpName.Of(typeof(T))} takes {frame.BodyLength:N0} bytes; a manager takes values of at most " +
                $"{Connection.DefaultMaxMessageSize:N0} bytes. Split it, or share large data through SharedMemory.", parameterName);
        }
    }

    /// <summary>
    /// Writes a count and then the key and value blobs of every pair: the body of a batch, with the type checks and
    /// the serializer's scope taken once for the whole batch rather than once per value.
    /// </summary>
    /// <exception cref="ArgumentException">A key or value cannot travel; nothing was sent.</exception>
    public static void WritePairs<TKey, TValue>(FrameBuilder frame, KeyValuePair<TKey, TValue>[] pairs, string parameterName)
    {
        ThrowIfUnsendable(typeof(TKey), parameterName);
        ThrowIfUnsendable(typeof(TValue), parameterName);
        frame.WriteInt32(pairs.Length);
        try
        {
            using (OutOfBand.Use(null))
            {
                foreach ((TKey key, TValue value) in pairs)
                {
                    SendableTypes.CheckRoundTripOnce(key);
                    int at = frame.BeginBlob();
                    Payload.Write(frame, key);
                    frame.EndBlob(at);
                    SendableTypes.CheckRoundTripOnce(value);
                    at = frame.BeginBlob();
                    Payload.Write(frame, value);
                    frame.EndBlob(at);
                }
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or NotSupportedException or InvalidOperationException or TypeInitializationException or InsufficientExecutionStackException)
        {
            throw new ArgumentException(SendableTypes.Refusal("A key or value", typeof(KeyValuePair<TKey, TValue>), e, ToManager), parameterName, e);
        }
        if (frame.BodyLength > FrameSocket.MaxBody)
        {
            throw new ArgumentException(
                $"The batch of {pairs.Length:N0} pairs takes {frame.BodyLength:N0} bytes; a manager message is at most {FrameSocket.MaxBody:N0} bytes. Send it in smaller batches.", parameterName);
        }
    }

    /// <summary>Writes a value whose type is known only at run time (a registered object's method argument) as a blob.</summary>
    /// <exception cref="ArgumentException">The value cannot travel.</exception>
    public static void WriteBlob(FrameBuilder frame, Type declared, object? value, string what)
    {
        ThrowIfUnsendable(declared, what);
        int at = frame.BeginBlob();
        try
        {
            using (OutOfBand.Use(null))
            {
                SendableTypes.CheckRoundTripOnce(declared, value);
                var writer = new MessagePackWriter(frame);
                ValueCodec.For(declared).Write(ref writer, value);
                writer.Flush();
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or NotSupportedException or InvalidOperationException or TypeInitializationException or InsufficientExecutionStackException)
        {
            throw new ArgumentException(SendableTypes.Refusal(what, declared, e, ToManager), e);
        }
        frame.EndBlob(at);
    }

    /// <summary>Reads a <typeparamref name="T"/> that fills <paramref name="blob"/>.</summary>
    /// <exception cref="InvalidDataException">The stored value is not a <typeparamref name="T"/>.</exception>
    public static T Read<T>(ReadOnlyMemory<byte> blob, ManagerHandle owner)
    {
        try
        {
            using (OutOfBand.Use(null))
            {
                var reader = new MessagePackReader(blob);
                T value = Payload.Read<T>(ref reader);
                if (!reader.End)
                {
                    throw new MessagePackSerializationException($"{blob.Length - reader.Consumed:N0} bytes were left over after a whole value");
                }
                return value;
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidOperationException or OverflowException or FormatException or ArgumentException or EndOfStreamException or InsufficientExecutionStackException or TypeInitializationException)
        {
            throw new InvalidDataException(
                $"A value of {blob.Length:N0} bytes from {owner.Description} could not be read as {CSharpName.Of(typeof(T))}: " +
                $"{e.GetBaseException().Message}. Every process must use the same types for the same object (a value " +
                "stored as one type cannot be read as another).", e);
        }
    }

    /// <summary>Reads a value whose type is known only at run time.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a value of <paramref name="declared"/>.</exception>
    public static object? Read(Type declared, ReadOnlyMemory<byte> blob, string owner)
    {
        try
        {
            using (OutOfBand.Use(null))
            {
                var reader = new MessagePackReader(blob);
                object? value = ValueCodec.For(declared).Read(ref reader);
                if (!reader.End)
                {
                    throw new MessagePackSerializationException($"{blob.Length - reader.Consumed:N0} bytes were left over after a whole value");
                }
                return value;
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidOperationException or OverflowException or FormatException or ArgumentException or EndOfStreamException or InsufficientExecutionStackException or TypeInitializationException)
        {
            throw new InvalidDataException(
                $"A value of {blob.Length:N0} bytes for {owner} could not be read as {CSharpName.Of(declared)}: {e.GetBaseException().Message}.", e);
        }
    }

    /// <summary>The verdict on values declared as <typeparamref name="T"/>, computed once per type.</summary>
    private static class Verdict<T>
    {
        public static readonly string? Reason = WhyNot(typeof(T));
    }

    private static string? WhyNot(Type declared) => ConcurResolver.IsPassedByHandle(declared)
        ? "it travels as a handle to an open object of one process, which a manager cannot hold for others; keep it " +
          "in a process and pass it to children and pool tasks directly"
        : SendableTypes.WhyNot(declared);

    /// <summary>Refuses, before anything is written, a declared type whose values cannot go to a manager.</summary>
    /// <exception cref="ArgumentException">They cannot.</exception>
    public static void ThrowIfUnsendable(Type declared, string parameterName)
    {
        if (WhyNot(declared) is string reason)
        {
            throw new ArgumentException($"Values of type {CSharpName.Of(declared)} cannot be sent {ToManager}: {reason}.", parameterName);
        }
    }
}
