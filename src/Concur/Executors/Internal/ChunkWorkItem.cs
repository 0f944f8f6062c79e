namespace Concur.Executors.Internal;

/// <summary>
/// Runs a <see cref="Func{T, TResult}"/> over a chunk of arguments (Map with a chunk size above 1). The first item
/// that throws ends the chunk: its task completes with the results before that item and the exception (never
/// faults for an item's exception), so Map yields those results and then throws at the failing item.
/// </summary>
internal sealed class ChunkWorkItem<T, TResult>(Func<T, TResult> function, T[] chunk) : ThreadWorkItem<ChunkOutcome<TResult>>(userVisible: false)
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "An item's exception is the chunk's outcome: Map rethrows it when the enumeration reaches that item.")]
    protected override ChunkOutcome<TResult> Invoke()
    {
        var results = new TResult[chunk.Length];
        var done = 0;
        try
        {
            for (; done < chunk.Length; done++)
            {
                results[done] = function(chunk[done]);
            }
        }
        catch (Exception e)
        {
            Array.Resize(ref results, done);
            return new ChunkOutcome<TResult>(results, e);
        }
        return new ChunkOutcome<TResult>(results, null);
    }
}
