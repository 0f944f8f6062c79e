using System.Collections.Concurrent;
using Concur.Threading.Internal;

namespace Concur.Executors.Internal;

/// <summary>
/// Collects watched tasks in the order they complete, and lets one consumer take them with a timeout, blocking or
/// asynchronously. The engine behind <c>AsCompleted</c>, <c>Wait</c> and <c>MapUnordered</c>.
/// </summary>
/// <typeparam name="TTask">The type of the tasks.</typeparam>
#pragma warning disable CA1001 // _signal is deliberately never disposed: see the field.
internal sealed class CompletionQueue<TTask>
#pragma warning restore CA1001
    where TTask : Task
{
    // The continuation only enqueues and signals, so it is cheap enough to run synchronously on whichever thread
    // completes the task.
    private static readonly Action<Task, object?> s_onCompleted = static (task, state) =>
    {
        var queue = (CompletionQueue<TTask>)state!;
        queue._completed.Enqueue((TTask)task);
        queue._signal.Release();
    };

    private readonly ConcurrentQueue<TTask> _completed = new();

    // Never disposed: a late continuation may still release it after the consumer has gone, and SemaphoreSlim
    // holds no unmanaged resource unless its AvailableWaitHandle is used.
    private readonly SemaphoreSlim _signal = new(0);

    /// <summary>Arranges for <paramref name="task"/> to be queued when it completes (at once if it already has).</summary>
    public void Watch(TTask task) =>
        task.ContinueWith(
            s_onCompleted,
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>
    /// Blocks until the next completed task is available and takes it, or returns <see langword="null"/> when
    /// <paramref name="timeout"/> runs out first.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public TTask? Take(TimeSpan timeout, CancellationToken cancellationToken) =>
        SyncOrAsync.RunSync(TakeCore(timeout, sync: true, cancellationToken));

    /// <summary>The asynchronous twin of <see cref="Take"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<TTask?> TakeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        TakeCore(timeout, sync: false, cancellationToken);

    // The one core of Take and TakeAsync (the twin rule, see SyncOrAsync).
    private async ValueTask<TTask?> TakeCore(TimeSpan timeout, bool sync, CancellationToken cancellationToken)
    {
        bool taken;
        if (sync)
        {
            // Results of short work arrive within microseconds: spin before blocking (Spinning.WorkRounds says why).
            // An asynchronous caller frees its thread instead.
            if (timeout != TimeSpan.Zero)
            {
                Spinning.SpinUntil(_signal, static signal => signal.CurrentCount != 0, Spinning.WorkRounds);
            }
            taken = _signal.Wait(timeout, cancellationToken);
        }
        else
        {
            taken = await _signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        return taken ? Dequeue() : null;
    }

    private TTask Dequeue()
    {
        // Each release follows its enqueue, so a successful wait always finds an item.
        _completed.TryDequeue(out var task);
        return task!;
    }
}
