using System.Buffers;
using System.Buffers.Binary;
using Concur.Serialization;
using MessagePack;

namespace Concur.Processes.Internal;

/// <summary>
/// The messages the parent sends a worker, one small type each (as CPython's <c>process.py</c> names
/// <c>_CallItem</c>): how each is encoded as a frame, and how the worker decodes it.
/// </summary>
internal static class ToWorker
{
    /// <summary>Defines a function in the worker, once per function per worker: <see cref="FrameKind.Define"/>.</summary>
    /// <param name="FunctionId">The id later calls name it by.</param>
    /// <param name="Definition">The <see cref="FunctionRef"/>'s definition.</param>
    internal readonly record struct Define(int FunctionId, byte[] Definition)
    {
        /// <summary>Encodes the frame.</summary>
        public byte[] Encode() => Frame.WithBody(FrameKind.Define, FunctionId, Definition);

        /// <summary>Encodes the definition of <paramref name="function"/>.</summary>
        public static byte[] Of(FunctionRef function) => new Define(function.Id, function.Definition).Encode();
    }

    /// <summary>
    /// Calls a defined function (<see cref="FrameKind.Invoke"/>, <see cref="FrameKind.InvokeChunk"/>,
    /// <see cref="FrameKind.Initialize"/> or <see cref="FrameKind.RunMain"/>): the <c>_CallItem</c>. Built by
    /// <see cref="CallFrames"/> at Submit.
    /// </summary>
    /// <param name="Kind">Which kind of call.</param>
    /// <param name="TaskId">The task id (0 for the initializer and a child process's body).</param>
    /// <param name="FunctionId">The function to call.</param>
    /// <param name="Arguments">The captured state, then the arguments.</param>
    internal readonly record struct Call(FrameKind Kind, long TaskId, int FunctionId, ReadOnlySequence<byte> Arguments)
    {
        /// <summary>Decodes a call frame's body.</summary>
        /// <exception cref="CorruptFrameException">The body is too short to name a function.</exception>
        public static Call Decode(in FrameHeader header, ReadOnlySequence<byte> body)
        {
            if (body.Length < 4)
            {
                throw new CorruptFrameException($"a {header.Kind} frame of {body.Length} body bytes, too short to name a function");
            }
            Span<byte> id = stackalloc byte[4];
            body.Slice(0, 4).CopyTo(id);
            return new Call(header.Kind, header.Id, BinaryPrimitives.ReadInt32LittleEndian(id), body.Slice(4));
        }
    }

    /// <summary>Tells the worker which polymorphic types it may read and write: <see cref="FrameKind.AllowTypes"/>.</summary>
    /// <param name="Names">The type names on <see cref="ProcessTypeAllowlist"/>.</param>
    internal readonly record struct AllowTypes(string[] Names)
    {
        /// <summary>Encodes the parent's current list.</summary>
        public static byte[] Current()
        {
            string[] names = ProcessTypeAllowlist.Snapshot();
            var buffer = new ArrayBufferWriter<byte>(256);
            buffer.Write(new byte[Frame.HeaderSize]);
            var writer = new MessagePackWriter(buffer);
            writer.WriteArrayHeader(names.Length);
            foreach (string name in names)
            {
                writer.Write(name);
            }
            writer.Flush();
            byte[] frame = buffer.WrittenSpan.ToArray();
            Frame.WriteHeader(frame, FrameKind.AllowTypes, 0, frame.Length - 4);
            return frame;
        }

        /// <summary>Decodes the body.</summary>
        /// <exception cref="CorruptFrameException">The body is not an array of type names.</exception>
        public static AllowTypes Decode(ReadOnlySequence<byte> body)
        {
            try
            {
                var reader = new MessagePackReader(body);
                int count = reader.ReadArrayHeader();
                var names = new string[count];
                for (int i = 0; i < count; i++)
                {
                    names[i] = reader.ReadString() ?? throw new CorruptFrameException("an AllowTypes frame with a null type name");
                }
                return new AllowTypes(names);
            }
            catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException)
            {
                throw new CorruptFrameException($"an AllowTypes frame whose body is not a list of type names ({e.Message})", e);
            }
        }
    }

    /// <summary>Tells the worker to finish and exit with code 0: <see cref="FrameKind.Exit"/>.</summary>
    internal readonly record struct Exit
    {
        /// <summary>Encodes the frame.</summary>
        public static byte[] Encode() => Frame.Empty(FrameKind.Exit, 0);
    }
}
