using Concur.Threading.Internal;

namespace Concur.Executors.Internal;

/// <summary>
/// The argument checks every executor's <see cref="IExecutor.Map"/> and <see cref="IExecutor.MapUnordered"/> make at
/// the call (not at the first <c>MoveNext</c>), so each executor reports bad input with the same messages.
/// </summary>
internal static class MapArguments
{
    /// <summary>Throws for a null function or source, a bad timeout, or a negative chunk or buffer size.</summary>
    public static void Validate<T, TResult>(
        Func<T, TResult> function, IEnumerable<T> source, TimeSpan? timeout, int chunkSize, int bufferSize)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(source);
        Timeouts.Validate(timeout, nameof(timeout));
        if (chunkSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be 0 (let the executor choose) or positive.");
        }
        if (bufferSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "bufferSize must be 0 (let the executor choose) or positive.");
        }
    }
}
