using Concur.Executors.Internal;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>
/// Map and unordered map over a process pool: the input is read lazily in chunks, at most a bounded number of items
/// are in flight, and abandoning the enumeration cancels the chunks not yet sent. The windowing itself is the
/// executors' shared <see cref="MapPipeline"/>; this class only chooses chunk sizes and sends chunks.
/// </summary>
internal static class ProcessMap
{
    /// <summary>Gets the chunk size: as Python's Pool.map (ceil(n / (4 * workers))) when the size is known, else 1.</summary>
    public static int ChunkSize<T>(IEnumerable<T> source, int requested, int workers)
    {
        if (requested > 0)
        {
            return requested;
        }
        if (source.TryGetNonEnumeratedCount(out int count))
        {
            return Math.Max(1, (int)Math.Ceiling(count / (4.0 * workers)));
        }
        return 1;
    }

    /// <summary>
    /// Gets how many chunks may be in flight: the caller's buffer size, which <see cref="IExecutor.Map"/> counts in
    /// chunks when the chunk size is above 1 (as <c>ThreadPoolExecutor</c> does), or by default 4 per worker.
    /// </summary>
    public static int Window(int bufferSize, int workers) =>
        bufferSize > 0 ? bufferSize : Math.Max(4 * workers, 2);

    /// <summary>Yields the results in input order (the shared <see cref="MapPipeline"/>, chunk by chunk).</summary>
    public static IEnumerable<TResult> Ordered<TItem, TResult>(
        ProcessPoolEngine engine, FunctionRef function, byte[] target, IEnumerable<TItem> source,
        TimeSpan? timeout, int chunkSize, int window, CancellationToken cancellationToken) =>
        MapPipeline.OrderedChunks(source, chunkSize, (chunk, stop) => SubmitChunk<TItem, TResult>(engine, function, target, chunk, stop), window, timeout, cancellationToken);

    /// <summary>Yields the results as chunks complete (the shared <see cref="MapPipeline"/>).</summary>
    public static IEnumerable<TResult> Unordered<TItem, TResult>(
        ProcessPoolEngine engine, FunctionRef function, byte[] target, IEnumerable<TItem> source,
        TimeSpan? timeout, int chunkSize, int window, CancellationToken cancellationToken) =>
        MapPipeline.UnorderedChunks(source, chunkSize, (chunk, stop) => SubmitChunk<TItem, TResult>(engine, function, target, chunk, stop), window, timeout, cancellationToken);

    /// <summary>
    /// Sends one chunk. Chunks are not stoppable: the pipeline's token (the map's token, its timeout, or the end of
    /// the enumeration) only cancels chunks not yet sent to a worker; a running chunk finishes and its result is
    /// dropped, as in Python's <c>Executor.map</c>.
    /// </summary>
    private static Task<TResult[]> SubmitChunk<TItem, TResult>(
        ProcessPoolEngine engine, FunctionRef function, byte[] target, TItem[] chunk, CancellationToken stop)
    {
        long id = CallFrames.NextId();
        OutgoingFrame frame = CallFrames.Build(FrameKind.InvokeChunk, id, function, target, chunk, "source");
        var item = new WorkItem<TResult[]>(id, function, frame, null, CancellationToken.None);
        engine.Enqueue(item);
        if (stop.CanBeCanceled)
        {
            stop.UnsafeRegister(static state =>
            {
                var (e, i) = ((ProcessPoolEngine, WorkItem))state!;
                e.TryCancelQueued(i);
            }, (engine, (WorkItem)item));
        }
        return item.TypedTask;
    }
}
