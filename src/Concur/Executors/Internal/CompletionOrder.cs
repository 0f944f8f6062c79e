using System.Collections;
using Concur.Threading.Internal;

namespace Concur.Executors.Internal;

/// <summary>
/// One enumeration of <c>Futures.AsCompleted</c>, blocking (<see cref="IEnumerator{T}"/>) or asynchronous
/// (<see cref="IAsyncEnumerator{T}"/>): first the tasks complete at its start, in input order, then the others in
/// completion order.
/// </summary>
/// <remarks>
/// It holds only the tasks it has not yielded yet, and <see cref="Current"/> only until the next move: a task the
/// enumeration has moved past is free to be collected once the caller drops it (CPython's bpo-14406). So it keeps no
/// copy of the input, only a count of it for the timeout message, and it is written by hand rather than as an
/// iterator, whose compiler-made state keeps the last value yielded even after the end.
/// </remarks>
/// <typeparam name="TTask">The type of the tasks.</typeparam>
internal sealed class CompletionOrder<TTask> : IEnumerator<TTask>, IAsyncEnumerator<TTask>
    where TTask : Task
{
    private readonly int _total;
    private readonly TimeSpan? _timeout;
    private readonly Deadline _deadline;
    private readonly Queue<TTask> _finishedAtStart = new();
    private readonly CompletionQueue<TTask> _completions = new();
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenSource? _linkedTokens;
    private int _remaining;
    private TTask? _current;

    /// <summary>Starts an enumeration of <paramref name="tasks"/> (distinct): sorts out those complete now and watches the rest.</summary>
    /// <param name="tasks">The tasks; not kept.</param>
    /// <param name="timeout">The most time the whole enumeration may take, from now; <see langword="null"/> for no limit.</param>
    /// <param name="linkedTokens">The source of <paramref name="cancellationToken"/> when it links two tokens; disposed with the enumeration.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public CompletionOrder(TTask[] tasks, TimeSpan? timeout, CancellationTokenSource? linkedTokens, CancellationToken cancellationToken)
    {
        _total = tasks.Length;
        _timeout = timeout;
        _deadline = Deadline.Start(timeout);
        _cancellationToken = cancellationToken;
        _linkedTokens = linkedTokens;
        foreach (var task in tasks)
        {
            if (task.IsCompleted)
            {
                _finishedAtStart.Enqueue(task);
            }
            else
            {
                _completions.Watch(task);
                _remaining++;
            }
        }
    }

    /// <inheritdoc/>
    public TTask Current => _current!;

    object IEnumerator.Current => Current;

    /// <inheritdoc/>
    public bool MoveNext() => SyncOrAsync.RunSync(MoveNextCore(sync: true));

    /// <inheritdoc/>
    public ValueTask<bool> MoveNextAsync() => MoveNextCore(sync: false);

    /// <summary>Not supported: start another enumeration instead.</summary>
    public void Reset() => throw new NotSupportedException("An AsCompleted enumeration cannot be reset; enumerate the sequence again.");

    /// <inheritdoc/>
    public void Dispose()
    {
        _current = null;
        _linkedTokens?.Dispose();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    // The one core of MoveNext and MoveNextAsync (the twin rule, see SyncOrAsync).
    private async ValueTask<bool> MoveNextCore(bool sync)
    {
        // Let go of the task yielded last before waiting for the next one.
        _current = null;
        _cancellationToken.ThrowIfCancellationRequested();
        if (_finishedAtStart.TryDequeue(out var next))
        {
            _current = next;
            return true;
        }
        if (_remaining == 0)
        {
            return false;
        }
        next = sync
            ? _completions.Take(_deadline.Remaining, _cancellationToken)
            : await _completions.TakeAsync(_deadline.Remaining, _cancellationToken).ConfigureAwait(false);
        if (next is null)
        {
            throw new TimeoutException(
                $"{_remaining} (of {_total}) tasks did not complete within the timeout of {_timeout}. " +
                "The tasks go on running; pass a longer timeout, or null to wait without a limit.");
        }
        _remaining--;
        _current = next;
        return true;
    }
}
