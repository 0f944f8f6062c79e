using Concur.Serialization;
using MessagePack;

namespace Concur.Ipc.Internal;

/// <summary>
/// Turns a typed value into a message body and back, under exactly the rules that arguments of a process-pool task
/// follow (<see cref="Payload"/>, <see cref="SendableTypes"/>): by the declared type, with no type name on the wire
/// except for <see cref="ProcessTypeAllowlist"/>'s types where the declared type is polymorphic, and refused in the
/// sender's call when it would not arrive as sent.
/// </summary>
internal static class MessageCodec
{
    /// <summary>How connections name where a value goes, in refusals.</summary>
    public const string ThroughConnection = "through a connection";

    /// <summary>How process queues name where a value goes, in refusals.</summary>
    public const string ThroughQueue = "through a process queue";

    /// <summary>Serializes <paramref name="value"/> into a frame (header included) in <paramref name="buffer"/>.</summary>
    /// <exception cref="ArgumentException">The value cannot travel, or is larger than <paramref name="maxMessageSize"/>.</exception>
    public static ReadOnlyMemory<byte> Encode<T>(MessageBuffer buffer, T value, int maxMessageSize, string destination = ThroughConnection)
    {
        if (SendableTypes.WhyNot(typeof(T)) is string reason)
        {
            throw new ArgumentException(
                $"Values of type {CSharpName.Of(typeof(T))} cannot be sent {destination}: {reason}.", nameof(value));
        }
        try
        {
            // Arrays travel inside the body here: a connection has no out-of-band frames (a pool worker's context
            // must not leak into a message its task sends).
            using (OutOfBand.Use(null))
            {
                SendableTypes.CheckRoundTripOnce(value);
                Payload.Write(buffer, value);
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or NotSupportedException or InvalidOperationException or TypeInitializationException or InsufficientExecutionStackException)
        {
            throw new ArgumentException(SendableTypes.Refusal("The value", typeof(T), e, destination), nameof(value), e);
        }
        if (buffer.BodyLength > maxMessageSize)
        {
            throw ConnectionErrors.TooLargeToSend(buffer.BodyLength, maxMessageSize, nameof(value));
        }
        return buffer.Finish();
    }

    /// <summary>Checks, before anything is read, that values of <typeparamref name="T"/> can be received at all.</summary>
    /// <exception cref="NotSupportedException">They cannot.</exception>
    public static void ThrowIfUnreceivable<T>(string destination = ThroughConnection)
    {
        if (SendableTypes.WhyNot(typeof(T)) is string reason)
        {
            throw new NotSupportedException($"Values of type {CSharpName.Of(typeof(T))} cannot be received {destination}: {reason}.");
        }
    }

    /// <summary>Reads a <typeparamref name="T"/> that fills <paramref name="body"/> exactly.</summary>
    /// <exception cref="InvalidDataException">The body is not one <typeparamref name="T"/>: the two ends disagree on the type.</exception>
    /// <exception cref="IOException">A value passed by handle in the body could not be taken from the process that sent it.</exception>
    public static T Decode<T>(ReadOnlyMemory<byte> body, string peer, string destination = ThroughConnection)
    {
        try
        {
            using (OutOfBand.Use(null))
            {
                var reader = new MessagePackReader(body);
                T value = Payload.Read<T>(ref reader);
                if (!reader.End)
                {
                    throw new MessagePackSerializationException(
                        $"{body.Length - reader.Consumed:N0} of its {body.Length:N0} bytes were left over after a whole value");
                }
                return value;
            }
        }
        catch (MessagePackSerializationException e) when (HandleSharer.FindTakeFailure(e) is { } handle)
        {
            // A connection end or queue in the message could not be taken from its sender (it exited, or closed the
            // object): that message says what to do, and the type agreement below is not the problem.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(handle);
            throw;
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidOperationException or OverflowException or FormatException or ArgumentException or EndOfStreamException or InsufficientExecutionStackException or TypeInitializationException)
        {
            string rest = destination == ThroughQueue
                ? "Every process must put and get the same item type. The item was taken from the queue; the queue can still be used."
                : "Both ends must send and receive the same declared type (a Python peer sends bytes: receive them with " +
                  "ReceiveBytes). The message was consumed; the connection can still be used.";
            throw new InvalidDataException(
                $"A message of {body.Length:N0} bytes from {LowerFirst(peer)} could not be read as {CSharpName.Of(typeof(T))}: " +
                $"{e.GetBaseException().Message}. {rest}", e);
        }
    }

    private static string LowerFirst(string text) =>
        text.Length > 0 && char.IsUpper(text[0]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;
}
