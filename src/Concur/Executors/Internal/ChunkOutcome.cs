namespace Concur.Executors.Internal;

/// <summary>
/// What one Map chunk gives back: the results of its items up to the first that threw, and that item's exception.
/// As in Python's <c>_process_chunk</c>, a chunk stops at its first failing item, so <see cref="Results"/> holds the
/// results of items 0 to <c>Results.Length - 1</c> and <see cref="Error"/> belongs to item <c>Results.Length</c>.
/// </summary>
/// <typeparam name="TResult">The type of the results.</typeparam>
/// <param name="Results">The results, in the chunk's order; the whole chunk when <paramref name="Error"/> is null.</param>
/// <param name="Error">The exception of the first item that threw, or <see langword="null"/>.</param>
internal readonly record struct ChunkOutcome<TResult>(TResult[] Results, Exception? Error);
