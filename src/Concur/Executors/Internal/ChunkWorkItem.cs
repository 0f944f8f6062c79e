namespace Concur.Executors.Internal;

/// <summary>Runs a <see cref="Func{T, TResult}"/> over a chunk of arguments (Map with a chunk size above 1).</summary>
internal sealed class ChunkWorkItem<T, TResult>(Func<T, TResult> function, T[] chunk) : ThreadWorkItem<TResult[]>(userVisible: false)
{
    protected override TResult[] Invoke()
    {
        var results = new TResult[chunk.Length];
        for (var i = 0; i < chunk.Length; i++)
        {
            results[i] = function(chunk[i]);
        }
        return results;
    }
}
