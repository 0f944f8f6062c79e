using System.Runtime.ExceptionServices;

namespace Concur.Executors.Internal;

/// <summary>
/// One unit of work queued on a <see cref="ThreadPoolExecutor"/> (Python's <c>_WorkItem</c>). A worker first
/// <see cref="TryStart"/>s it, then <see cref="Execute"/>s it, then <see cref="Publish"/>es the outcome, so the worker
/// can mark itself idle between the last two steps (before any awaiting code sees the result).
/// </summary>
internal abstract class ThreadWorkItem
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Abandoned = 2;

    private int _state;

    /// <summary>Claims the item for running; false if it was cancelled (or faulted) while queued.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Queued) == Queued;

    /// <summary>Claims a queued item so that it will never run; false if it has already started.</summary>
    protected bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued;

    /// <summary>Runs the user code and keeps the outcome; never throws.</summary>
    public abstract void Execute();

    /// <summary>Completes the task with the outcome <see cref="Execute"/> kept.</summary>
    public abstract void Publish();

    /// <summary>Cancels the item if it has not started; its task ends cancelled.</summary>
    public abstract void Cancel();

    /// <summary>Faults the item with <paramref name="exception"/> if it has not started.</summary>
    public abstract void Fault(Exception exception);
}

/// <summary>A <see cref="ThreadWorkItem"/> whose task completes with a <typeparamref name="TResult"/>.</summary>
internal abstract class ThreadWorkItem<TResult> : ThreadWorkItem
{
    private static readonly Action<object?> s_onTokenCancelled = static state => ((ThreadWorkItem<TResult>)state!).Cancel();

    private readonly TaskCompletionSource<TResult> _completion;
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;
    private TResult? _result;
    private ExceptionDispatchInfo? _error;
    private bool _cancelled;

    /// <summary>Creates the item and its task.</summary>
    /// <param name="userVisible">
    /// <see langword="true"/> for a task handed to user code: its continuations run asynchronously, because awaiting
    /// code must never run on the worker thread (it would hold the worker and could re-enter the executor).
    /// <see langword="false"/> only for tasks that stay inside Concur (Map's), whose sole continuations are Concur's
    /// own short, non-blocking callbacks; running those inline saves a thread hop per item.
    /// </param>
    protected ThreadWorkItem(bool userVisible)
    {
        _completion = new TaskCompletionSource<TResult>(
            userVisible ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None);
    }

    /// <summary>Gets the task handed to the submitter.</summary>
    public Task<TResult> Task => _completion.Task;

    /// <summary>Makes <paramref name="token"/> cancel the item while it is queued. Call before queueing.</summary>
    public void RegisterCancellation(CancellationToken token)
    {
        if (token.CanBeCanceled)
        {
            _token = token;
            _registration = token.UnsafeRegister(s_onTokenCancelled, this);
        }
    }

    /// <summary>Runs the user function.</summary>
    protected abstract TResult Invoke();

    /// <inheritdoc/>
    public sealed override void Execute()
    {
        _registration.Unregister();
        try
        {
            _result = Invoke();
        }
        catch (OperationCanceledException oce) when (_token.CanBeCanceled && oce.CancellationToken == _token)
        {
            // The function observed the submitter's token: report cancellation, as Task.Run does.
            _cancelled = true;
        }
        catch (Exception ex)
        {
            _error = ExceptionDispatchInfo.Capture(ex);
        }
    }

    /// <inheritdoc/>
    public sealed override void Publish()
    {
        if (_error is not null)
        {
            _completion.TrySetException(_error.SourceException);
        }
        else if (_cancelled)
        {
            _completion.TrySetCanceled(_token);
        }
        else
        {
            _completion.TrySetResult(_result!);
        }
    }

    /// <inheritdoc/>
    public sealed override void Cancel()
    {
        if (TryAbandon())
        {
            _registration.Unregister();
            _completion.TrySetCanceled(_token.IsCancellationRequested ? _token : new CancellationToken(canceled: true));
        }
    }

    /// <inheritdoc/>
    public sealed override void Fault(Exception exception)
    {
        if (TryAbandon())
        {
            _registration.Unregister();
            _completion.TrySetException(exception);
        }
    }
}
