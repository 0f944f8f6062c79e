using System.Buffers;

namespace Concur.Processes.Internal;

/// <summary>
/// The messages a worker sends the parent, one small type each (as CPython's <c>process.py</c> names
/// <c>_ResultItem</c>), and their strict decoding: a worker's frames are untrusted input, and anything that does not
/// decode exactly is a <see cref="CorruptFrameException"/>, never an exception that escapes the reader.
/// </summary>
internal static class FromWorker
{
    /// <summary>The worker is up and reads frames: <see cref="FrameKind.Ready"/>, its first frame and only then.</summary>
    /// <param name="ProcessId">The worker's process id.</param>
    internal readonly record struct Ready(int ProcessId)
    {
        /// <summary>Encodes the frame.</summary>
        public byte[] Encode() => Frame.Empty(FrameKind.Ready, ProcessId);

        /// <summary>Decodes the frame.</summary>
        /// <exception cref="CorruptFrameException">It has a body, or the id is not a process id.</exception>
        public static Ready Decode(in FrameHeader header)
        {
            if (header.BodyLength != 0 || header.Id is <= 0 or > int.MaxValue)
            {
                throw new CorruptFrameException($"a Ready frame with id {header.Id} and {header.BodyLength} body bytes (a Ready frame has a process id and no body)");
            }
            return new Ready((int)header.Id);
        }
    }

    /// <summary>
    /// The answer to the running task: <see cref="FrameKind.Result"/>. The body is the result serialized by its
    /// declared type; the task's <see cref="WorkItem"/> reads it.
    /// </summary>
    /// <param name="TaskId">The task answered.</param>
    /// <param name="Body">The serialized result.</param>
    /// <param name="Arrays">The arrays that came ahead of it (<see cref="FrameKind.ResultArray"/>), which the body refers to.</param>
    internal readonly record struct Result(long TaskId, ReadOnlySequence<byte> Body, IReadOnlyList<Array> Arrays);

    /// <summary>
    /// The answer to a map chunk: a <see cref="FrameKind.Result"/> whose body is
    /// <see cref="Concur.Serialization.ChunkAnswer"/>'s <c>[done, error | nil, results]</c>. The reader checks this
    /// shape before the worker gets its next task; the results are deserialized by their type afterwards, as every
    /// result is.
    /// </summary>
    /// <param name="TaskId">The chunk's task.</param>
    /// <param name="Done">How many of the chunk's items ran: the index of the failing item when <paramref name="Error"/> is set.</param>
    /// <param name="Error">The exception of item <paramref name="Done"/>, or <see langword="null"/> when every item ran.</param>
    /// <param name="Results">The serialized results of items 0 to <paramref name="Done"/> - 1.</param>
    internal readonly record struct ChunkResult(long TaskId, int Done, RemoteException? Error, ReadOnlySequence<byte> Results)
    {
        /// <summary>Decodes the answer to a chunk of <paramref name="items"/> items.</summary>
        /// <exception cref="CorruptFrameException">The body is not a chunk's answer, or does not fit a chunk of that length.</exception>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "Untrusted input: every failure to decode means a corrupt frame.")]
        public static ChunkResult Decode(in FrameHeader header, ReadOnlySequence<byte> body, int items)
        {
            try
            {
                (int done, RemoteException? error, ReadOnlySequence<byte> results) = Concur.Serialization.ChunkAnswer.Read(body, items);
                return new ChunkResult(header.Id, done, error, results);
            }
            catch (Exception e)
            {
                throw new CorruptFrameException($"a Result frame for chunk task {header.Id} whose body is not a chunk's answer ({e.GetType().Name}: {e.Message})", e);
            }
        }
    }

    /// <summary>The running task threw: <see cref="FrameKind.Error"/>.</summary>
    /// <param name="TaskId">The task answered.</param>
    /// <param name="Exception">The task's exception, as the parent sees it.</param>
    internal readonly record struct Error(long TaskId, RemoteException Exception)
    {
        /// <summary>Decodes the frame.</summary>
        /// <exception cref="CorruptFrameException">The body is not an error.</exception>
        public static Error Decode(in FrameHeader header, ReadOnlySequence<byte> body) =>
            new(header.Id, DecodeError(header, body));
    }

    /// <summary>The pool's initializer threw; the worker exits: <see cref="FrameKind.InitializeFailed"/>.</summary>
    /// <param name="Exception">The initializer's exception.</param>
    internal readonly record struct InitializeFailed(RemoteException Exception)
    {
        /// <summary>Decodes the frame.</summary>
        /// <exception cref="CorruptFrameException">The body is not an error.</exception>
        public static InitializeFailed Decode(in FrameHeader header, ReadOnlySequence<byte> body) =>
            new(DecodeError(header, body));
    }

    /// <summary>
    /// Reads a remote error (its format is <see cref="Concur.Serialization.RemoteError"/>'s): whatever goes wrong
    /// reading it makes the frame corrupt.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "Untrusted input: every failure to decode means a corrupt frame.")]
    private static RemoteException DecodeError(in FrameHeader header, ReadOnlySequence<byte> body)
    {
        try
        {
            return Concur.Serialization.RemoteError.Read(body.IsSingleSegment ? body.First : body.ToArray());
        }
        catch (Exception e)
        {
            throw new CorruptFrameException($"a {header.Kind} frame for id {header.Id} whose body is not an error ({e.GetType().Name}: {e.Message})", e);
        }
    }
}
