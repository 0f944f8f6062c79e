using System.Collections;

namespace Concur.Executors.Internal;

/// <summary>
/// The sequence <c>Futures.AsCompleted</c> and <c>Futures.AsCompletedAsync</c> return: the distinct tasks, read at
/// the call, and a fresh <see cref="CompletionOrder{TTask}"/> per enumeration.
/// </summary>
/// <remarks>
/// The sequence keeps the tasks so that it can be enumerated again; an enumeration does not keep the sequence, so a
/// <c>foreach</c> over the call's result lets each task go once the loop has moved past it.
/// </remarks>
/// <typeparam name="TTask">The type of the tasks.</typeparam>
internal sealed class AsCompletedSequence<TTask> : IEnumerable<TTask>, IAsyncEnumerable<TTask>
    where TTask : Task
{
    private readonly TTask[] _tasks;
    private readonly TimeSpan? _timeout;
    private readonly CancellationToken _cancellationToken;

    public AsCompletedSequence(TTask[] tasks, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        _tasks = tasks;
        _timeout = timeout;
        _cancellationToken = cancellationToken;
    }

    /// <inheritdoc/>
    public IEnumerator<TTask> GetEnumerator() => new CompletionOrder<TTask>(_tasks, _timeout, linkedTokens: null, _cancellationToken);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public IAsyncEnumerator<TTask> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        // Either token stops the enumeration, as with [EnumeratorCancellation] in an async iterator.
        if (!cancellationToken.CanBeCanceled || cancellationToken == _cancellationToken)
        {
            return new CompletionOrder<TTask>(_tasks, _timeout, linkedTokens: null, _cancellationToken);
        }
        if (!_cancellationToken.CanBeCanceled)
        {
            return new CompletionOrder<TTask>(_tasks, _timeout, linkedTokens: null, cancellationToken);
        }
        var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken, cancellationToken);
        return new CompletionOrder<TTask>(_tasks, _timeout, linked, linked.Token);
    }
}
