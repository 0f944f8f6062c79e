using Concur.Executors.Internal;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>
/// Map and unordered map over a process pool: the input is read lazily in chunks, at most a bounded number of items
/// are in flight, and abandoning the enumeration cancels the chunks not yet sent. The windowing itself is the
/// executors' shared <see cref="MapPipeline"/>; this class only cuts chunks and sends them.
/// </summary>
/// <remarks>
/// Chunk sizes: the caller's when given (always honoured); else Python's <c>Pool.map</c> rule,
/// ceil(n / (4 * workers)) capped at <see cref="AdaptiveChunks.MaxItems"/>, when the size n of the source is known
/// without enumerating it (arrays, lists, ranges);
/// else <see cref="AdaptiveChunks"/>: one item at first, growing toward that rule as items keep coming, within a cap.
/// </remarks>
internal static class ProcessMap
{
    /// <summary>
    /// Cuts <paramref name="source"/> into chunks (lazily); returns the adaptive sizer when the chunks adapt, so the
    /// chunks' costs can be reported to it.
    /// </summary>
    /// <param name="source">The items.</param>
    /// <param name="requested">The caller's chunk size; 0 to choose.</param>
    /// <param name="workers">The pool's number of workers.</param>
    /// <param name="chunks">The chunks.</param>
    public static AdaptiveChunks? Plan<T>(IEnumerable<T> source, int requested, int workers, out IEnumerable<T[]> chunks)
    {
        if (requested > 0)
        {
            chunks = source.Chunk(requested);
            return null;
        }
        if (source.TryGetNonEnumeratedCount(out int count))
        {
            // Python's rule, capped where a chunk's arrays would leave the small object heap (8,192 items): a million
            // trivial ints ran 2.5-3x faster in chunks of 8,192 than in Python's 125,000 (docs/benchmarks.md).
            chunks = source.Chunk(Math.Clamp((int)Math.Ceiling(count / (4.0 * workers)), 1, AdaptiveChunks.MaxItems));
            return null;
        }
        var adaptive = new AdaptiveChunks(workers);
        chunks = adaptive.Cut(source);
        return adaptive;
    }

    /// <summary>
    /// Gets how many chunks may be in flight: the caller's buffer size, which <see cref="IExecutor.Map"/> counts in
    /// chunks when items travel in chunks (as <c>ThreadPoolExecutor</c> does), or by default 4 per worker.
    /// </summary>
    public static int Window(int bufferSize, int workers) =>
        bufferSize > 0 ? bufferSize : Math.Max(4 * workers, 2);

    /// <summary>Yields the results in input order (the shared <see cref="MapPipeline"/>, chunk by chunk); <paramref name="owner"/> (the executor or pool) stays reachable while it is enumerated.</summary>
    public static IEnumerable<TResult> Ordered<TItem, TResult>(
        object owner, ProcessPoolEngine engine, FunctionRef function, byte[] target, IEnumerable<TItem> source,
        TimeSpan? timeout, int chunkSize, int bufferSize, CancellationToken cancellationToken)
    {
        AdaptiveChunks? sizer = Plan(source, chunkSize, engine.MaxWorkers, out IEnumerable<TItem[]> chunks);
        return MapPipeline.OrderedChunks(
            chunks, (chunk, stop) => SubmitChunk<TItem, TResult>(owner, engine, function, target, chunk, sizer, stop),
            Window(bufferSize, engine.MaxWorkers), timeout, cancellationToken);
    }

    /// <summary>Yields the results as chunks complete (the shared <see cref="MapPipeline"/>); <paramref name="owner"/> stays reachable while it is enumerated.</summary>
    public static IEnumerable<TResult> Unordered<TItem, TResult>(
        object owner, ProcessPoolEngine engine, FunctionRef function, byte[] target, IEnumerable<TItem> source,
        TimeSpan? timeout, int chunkSize, int bufferSize, CancellationToken cancellationToken)
    {
        AdaptiveChunks? sizer = Plan(source, chunkSize, engine.MaxWorkers, out IEnumerable<TItem[]> chunks);
        return MapPipeline.UnorderedChunks(
            chunks, (chunk, stop) => SubmitChunk<TItem, TResult>(owner, engine, function, target, chunk, sizer, stop),
            Window(bufferSize, engine.MaxWorkers), timeout, cancellationToken);
    }

    /// <summary>
    /// Sends one chunk. Chunks are not stoppable: the pipeline's token (the map's token, its timeout, or the end of
    /// the enumeration) only cancels chunks not yet sent to a worker; a running chunk finishes and its result is
    /// dropped, as in Python's <c>Executor.map</c>. The token's registration ends with the chunk
    /// (<see cref="MapChunkItem{TResult}"/>), so consumed results are not kept.
    /// </summary>
    /// <remarks>
    /// <paramref name="owner"/> is the executor or pool: referenced here, so the enumeration keeps it reachable and
    /// an executor nobody else holds is not finalized (which shuts it down) while its map is being enumerated.
    /// </remarks>
    private static Task<ChunkOutcome<TResult>> SubmitChunk<TItem, TResult>(
        object owner, ProcessPoolEngine engine, FunctionRef function, byte[] target, TItem[] chunk, AdaptiveChunks? sizer, CancellationToken stop)
    {
        long id = CallFrames.NextId();
        OutgoingFrame frame = CallFrames.Build(FrameKind.InvokeChunk, id, function, target, chunk, "source");
        var item = new MapChunkItem<TResult>(id, function, frame, chunk.Length, sizer);
        engine.Enqueue(item);
        item.CancelWhileQueued(engine, stop);
        GC.KeepAlive(owner);
        return item.TypedTask;
    }
}
