using System.Buffers;
using System.Buffers.Binary;
using Concur.Serialization;
using MessagePack;

namespace Concur.Processes.Internal;

/// <summary>
/// Builds the frame for one call in the caller's thread, at Submit: so a closure or argument that cannot be
/// serialized fails right there, with an exception that names it, never later in a worker.
/// </summary>
internal static class CallFrames
{
    private static long s_lastTaskId;

    /// <summary>A buffer this thread may build its next call frame in: a small frame leaves as an exact array and gives
    /// the buffer back (one thread submitting many tasks then allocates no buffer per task).</summary>
    [ThreadStatic]
    private static FrameBuffer? s_spare;

    /// <summary>Gets a new task id.</summary>
    public static long NextId() => Interlocked.Increment(ref s_lastTaskId);

    /// <summary>Serializes what travels with each call of <paramref name="function"/> bound to <paramref name="target"/>.</summary>
    public static byte[] TargetState(FunctionRef function, object? target, string paramName)
    {
        if (function.Kind == TargetKind.None)
        {
            return [];
        }
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        function.WriteTarget(ref writer, target, paramName);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Builds a call frame without arguments.</summary>
    public static OutgoingFrame Build(FrameKind kind, long id, FunctionRef function, ReadOnlySpan<byte> target)
    {
        FrameBuffer buffer = Start(function, target);
        return Done(buffer, Frame.Finish(buffer, kind, id));
    }

    /// <summary>Builds a call frame with one argument, serialized by its declared type.</summary>
    /// <exception cref="ArgumentException">The argument cannot be serialized.</exception>
    public static OutgoingFrame Build<T>(FrameKind kind, long id, FunctionRef function, ReadOnlySpan<byte> target, T argument, string paramName)
    {
        FrameBuffer buffer = Start(function, target);
        var arrays = OutOfBand.ForWriting(snapshots: true);
        using (OutOfBand.Use(arrays))
        {
            var writer = new MessagePackWriter(buffer);
            WriteArgument(ref writer, argument, paramName);
            writer.Flush();
        }
        return Done(buffer, Frame.Finish(buffer, kind, id, arrays));
    }

    /// <summary>Builds a call frame with two arguments.</summary>
    /// <exception cref="ArgumentException">An argument cannot be serialized.</exception>
    public static OutgoingFrame Build<T1, T2>(FrameKind kind, long id, FunctionRef function, ReadOnlySpan<byte> target, T1 first, T2 second)
    {
        FrameBuffer buffer = Start(function, target);
        var arrays = OutOfBand.ForWriting(snapshots: true);
        using (OutOfBand.Use(arrays))
        {
            var writer = new MessagePackWriter(buffer);
            WriteArgument(ref writer, first, "argument1");
            WriteArgument(ref writer, second, "argument2");
            writer.Flush();
        }
        return Done(buffer, Frame.Finish(buffer, kind, id, arrays));
    }

    /// <remarks>
    /// The frame is written into pooled segments: a large argument costs its serialized size once, with no copy as
    /// the buffer grows (<see cref="Frame.Finish"/> turns a small frame into one exact array).
    /// </remarks>
    private static FrameBuffer Start(FunctionRef function, ReadOnlySpan<byte> target)
    {
        FrameBuffer buffer = s_spare ?? new FrameBuffer(256 + target.Length);
        s_spare = null; // Taken: a call built while this one is (a serializer that submits) gets a buffer of its own.
        Frame.Begin(buffer);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), function.Id);
        buffer.Advance(4);
        buffer.Write(target);
        return buffer;
    }

    /// <summary>Keeps <paramref name="buffer"/> for the next call if <paramref name="frame"/> left it empty (a small frame is an exact array).</summary>
    private static OutgoingFrame Done(FrameBuffer buffer, OutgoingFrame frame)
    {
        if (frame.Array is not null && buffer.Length == 0)
        {
            s_spare = buffer;
        }
        return frame;
    }

    private static void WriteArgument<T>(ref MessagePackWriter writer, T argument, string paramName)
    {
        try
        {
            using (OutOfBand.Use(null))
            {
                SendableTypes.CheckRoundTripOnce(argument); // In band: a round trip in memory.
            }
            Payload.Write(ref writer, argument);
        }
        catch (Exception e) when (e is MessagePackSerializationException or NotSupportedException or InvalidOperationException or TypeInitializationException or InsufficientExecutionStackException)
        {
            throw new ArgumentException(SendableTypes.Refusal("The argument", typeof(T), e), paramName, e);
        }
    }
}
