using System.Runtime.ExceptionServices;
using Concur.Threading.Internal;

namespace Concur.Executors.Internal;

/// <summary>
/// The windowing engine behind every executor's <c>Map</c> and <c>MapUnordered</c>, independent of how work runs.
/// </summary>
/// <remarks>
/// <para>Contract, for any executor that supplies a <c>submit</c> function:</para>
/// <list type="bullet">
/// <item><description>
/// Lazy: <c>source</c> is not enumerated and nothing is submitted until the first <c>MoveNext</c>.
/// Callers validate their arguments before calling (the returned sequences are iterators).
/// </description></item>
/// <item><description>
/// Bounded: at most <c>bufferSize</c> tasks are submitted and not yet yielded; the next item of the source is
/// submitted only when one is yielded, so an endless source is fine.
/// </description></item>
/// <item><description>
/// <c>submit(item, token)</c> must return a task for the item and honour <c>token</c> by cancelling the work if it
/// has not started. The token is cancelled when the enumeration ends for any reason (completion, an exception,
/// a timeout, <c>cancellationToken</c>, or the consumer disposing the enumerator early), so abandoned work never
/// runs. An exception thrown by <c>submit</c> itself (such as the executor having been shut down) propagates from
/// <c>MoveNext</c>.
/// </description></item>
/// <item><description>
/// Errors: a faulted item's exception is rethrown (unwrapped) when the enumeration reaches it (in input order
/// for <see cref="Ordered"/>, in completion order for <see cref="Unordered"/>); a cancelled item throws
/// <see cref="TaskCanceledException"/>. With chunks, an item's exception is part of its chunk's outcome: every
/// result before that item is yielded first, so chunking never changes what the consumer sees before an error.
/// A chunk that fails as a whole (a crashed worker, a cancelled chunk) throws at its first item.
/// </description></item>
/// <item><description>
/// Timeout: counted from the first <c>MoveNext</c>; when it runs out before the next result is ready,
/// <see cref="TimeoutException"/> is thrown. <c>cancellationToken</c> throws <see cref="OperationCanceledException"/>.
/// </description></item>
/// </list>
/// </remarks>
internal static class MapPipeline
{
    /// <summary>Yields the results in the order of <paramref name="source"/>.</summary>
    public static IEnumerable<TResult> Ordered<T, TResult>(
        IEnumerable<T> source,
        Func<T, CancellationToken, Task<TResult>> submit,
        int bufferSize,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        var deadline = Deadline.Start(timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<Task<TResult>>(Math.Min(bufferSize, 1024));
        using var items = source.GetEnumerator();
        var more = true;
        try
        {
            while (true)
            {
                while (more && inFlight.Count < bufferSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!items.MoveNext())
                    {
                        more = false;
                        break;
                    }
                    inFlight.Enqueue(submit(items.Current, stop.Token));
                }
                if (inFlight.Count == 0)
                {
                    yield break;
                }
                yield return WaitForResult(inFlight.Dequeue(), deadline, timeout, cancellationToken);
            }
        }
        finally
        {
            // Abandoned, failed, timed out or finished: whatever has not started must not run.
            stop.Cancel();
        }
    }

    /// <summary>Yields the results in the order they complete.</summary>
    public static IEnumerable<TResult> Unordered<T, TResult>(
        IEnumerable<T> source,
        Func<T, CancellationToken, Task<TResult>> submit,
        int bufferSize,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        var deadline = Deadline.Start(timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var completed = new CompletionQueue<Task<TResult>>();
        var inFlight = 0;
        using var items = source.GetEnumerator();
        var more = true;
        try
        {
            while (true)
            {
                while (more && inFlight < bufferSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!items.MoveNext())
                    {
                        more = false;
                        break;
                    }
                    completed.Watch(submit(items.Current, stop.Token));
                    inFlight++;
                }
                if (inFlight == 0)
                {
                    yield break;
                }
                var next = completed.Take(deadline.Remaining, cancellationToken)
                    ?? throw TimedOut(timeout);
                inFlight--;
                yield return next.GetAwaiter().GetResult();
            }
        }
        finally
        {
            stop.Cancel();
        }
    }

    /// <summary>
    /// Like <see cref="Ordered"/>, but sends <paramref name="chunkSize"/> items per task and flattens the results;
    /// <c>bufferSize</c> then counts chunks.
    /// </summary>
    public static IEnumerable<TResult> OrderedChunks<T, TResult>(
        IEnumerable<T> source,
        int chunkSize,
        Func<T[], CancellationToken, Task<ChunkOutcome<TResult>>> submitChunk,
        int bufferSize,
        TimeSpan? timeout,
        CancellationToken cancellationToken) =>
        OrderedChunks(source.Chunk(chunkSize), submitChunk, bufferSize, timeout, cancellationToken);

    /// <summary>
    /// Like <see cref="Ordered"/>, over chunks the caller cuts (of any sizes), flattening the results; <c>bufferSize</c>
    /// counts chunks. An item that threw ends its chunk (<see cref="ChunkOutcome{TResult}"/>): the results before it
    /// are yielded, then its exception is thrown, as for a map without chunks.
    /// </summary>
    public static IEnumerable<TResult> OrderedChunks<T, TResult>(
        IEnumerable<T[]> chunks,
        Func<T[], CancellationToken, Task<ChunkOutcome<TResult>>> submitChunk,
        int bufferSize,
        TimeSpan? timeout,
        CancellationToken cancellationToken) =>
        Flatten(Ordered(chunks, submitChunk, bufferSize, timeout, cancellationToken));

    /// <summary>
    /// Like <see cref="Unordered"/>, but sends <paramref name="chunkSize"/> items per task; each chunk's results are
    /// yielded together, in input order within the chunk.
    /// </summary>
    public static IEnumerable<TResult> UnorderedChunks<T, TResult>(
        IEnumerable<T> source,
        int chunkSize,
        Func<T[], CancellationToken, Task<ChunkOutcome<TResult>>> submitChunk,
        int bufferSize,
        TimeSpan? timeout,
        CancellationToken cancellationToken) =>
        UnorderedChunks(source.Chunk(chunkSize), submitChunk, bufferSize, timeout, cancellationToken);

    /// <summary>
    /// Like <see cref="Unordered"/>, over chunks the caller cuts; each chunk's results are yielded together, in input
    /// order within the chunk, and a chunk whose item threw yields the results before that item, then throws.
    /// </summary>
    public static IEnumerable<TResult> UnorderedChunks<T, TResult>(
        IEnumerable<T[]> chunks,
        Func<T[], CancellationToken, Task<ChunkOutcome<TResult>>> submitChunk,
        int bufferSize,
        TimeSpan? timeout,
        CancellationToken cancellationToken) =>
        Flatten(Unordered(chunks, submitChunk, bufferSize, timeout, cancellationToken));

    /// <summary>
    /// Yields each chunk's results, then throws its item's exception if it has one. Each result's slot is cleared as
    /// it is yielded, so a consumed result is not kept reachable by the rest of its chunk.
    /// </summary>
    private static IEnumerable<TResult> Flatten<TResult>(IEnumerable<ChunkOutcome<TResult>> chunks)
    {
        foreach (var chunk in chunks)
        {
            var results = chunk.Results;
            for (var i = 0; i < results.Length; i++)
            {
                var result = results[i];
                results[i] = default!;
                yield return result;
            }
            if (chunk.Error is { } error)
            {
                ExceptionDispatchInfo.Throw(error);
            }
        }
    }

    private static TResult WaitForResult<TResult>(
        Task<TResult> task,
        Deadline deadline,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        // Short items finish within microseconds: spin before paying for a blocking wait and the wake-up that ends it.
        if (!Spinning.SpinUntil(task, static t => t.IsCompleted, Spinning.WorkRounds))
        {
            bool finished;
            try
            {
                finished = task.Wait(deadline.RemainingMilliseconds, cancellationToken);
            }
            catch (AggregateException)
            {
                // Faulted or cancelled: rethrown unwrapped below.
                finished = true;
            }
            if (!finished)
            {
                throw TimedOut(timeout);
            }
        }
        return task.GetAwaiter().GetResult();
    }

    private static TimeoutException TimedOut(TimeSpan? timeout) =>
        new($"The map did not finish within its timeout of {timeout}; the timeout counts from the start of the enumeration. Raise the timeout or pass null for no limit.");
}
