using System.Buffers;
using System.Diagnostics;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>
/// One task on its way through the pool: its ready-to-send frame, its state, and the caller's task to complete.
/// State changes happen under the engine's lock; completing the caller's task happens outside it.
/// </summary>
internal abstract class WorkItem
{
    private readonly Lock? _registrationGate; // Only for a token that can be cancelled: nothing is registered otherwise.
    private CancellationTokenRegistration _registration;
    private bool _ended;

    protected WorkItem(long id, FunctionRef function, OutgoingFrame frame, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        Id = id;
        Function = function;
        Frame = frame;
        Timeout = timeout;
        CancellationToken = cancellationToken;
        _registrationGate = cancellationToken.CanBeCanceled ? new Lock() : null;
    }

    /// <summary>Gets the task id (unique in this process).</summary>
    public long Id { get; }

    /// <summary>Gets the function the task calls.</summary>
    public FunctionRef Function { get; }

    /// <summary>Gets the complete frame to send to a worker (released once the task has an answer or ends).</summary>
    public OutgoingFrame Frame { get; }

    /// <summary>Gets the hard time limit on running, counted from when the task starts in its worker.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>Gets the caller's token: cancels the task whether queued or running.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Gets a value indicating whether the task may be stopped while running. Such a task is sent only to an idle
    /// worker, never queued in a worker's pipe behind another task, so "started" is known exactly.
    /// </summary>
    public bool Stoppable => Timeout is not null || CancellationToken.CanBeCanceled;

    /// <summary>Gets or sets where the task is (guarded by the engine's lock).</summary>
    public WorkState State { get; set; }

    /// <summary>Gets or sets the worker the task was sent to (guarded by the engine's lock).</summary>
    public WorkerProcess? Worker { get; set; }

    /// <summary>Gets or sets the <see cref="Stopwatch"/> timestamp at which the task started running.</summary>
    public long StartedAt { get; set; }

    /// <summary>Gets or sets why the engine killed the task's worker, if it did.</summary>
    public StopReason StopReason { get; set; }

    /// <summary>Gets a description for error messages: the function and the task id.</summary>
    public string Description => $"task {Id} ({Function.Description})";

    /// <summary>Gets the caller's task.</summary>
    public abstract Task Task { get; }

    /// <summary>Registers the cancellation callback (after the item is queued).</summary>
    public void Register(Action<WorkItem> onCancel)
    {
        if (CancellationToken.CanBeCanceled)
        {
            CancellationTokenRegistration made = CancellationToken.Register(static state =>
            {
                var (item, callback) = ((WorkItem, Action<WorkItem>))state!;
                callback(item);
            }, (this, onCancel));
            lock (_registrationGate!)
            {
                if (!_ended)
                {
                    _registration = made;
                    return;
                }
            }
            // The task ended before it was registered (a worker answered at once): a registration kept now would hold
            // the task, and its result, on the caller's token for as long as the token lives.
            made.Dispose();
        }
    }

    /// <summary>Marks the task ended and drops its cancellation registration (now, or as soon as it is made).</summary>
    private void EndRegistration()
    {
        if (_registrationGate is null)
        {
            return; // A token that cannot be cancelled: nothing was registered.
        }
        CancellationTokenRegistration done;
        lock (_registrationGate)
        {
            _ended = true;
            done = _registration;
            _registration = default;
        }
        done.Dispose();
    }

    /// <summary>
    /// Checks a Result body's shape on the reader thread, before the worker is given its next task, and returns the
    /// part <see cref="Complete"/> deserializes. The default takes the whole body (a single result is checked only by
    /// deserializing it); a map chunk checks its answer's envelope here.
    /// </summary>
    /// <exception cref="CorruptFrameException">The body does not have the shape the task's answer must have.</exception>
    public virtual ReadOnlySequence<byte> Accept(in FrameHeader header, ReadOnlySequence<byte> body) => body;

    /// <summary>Completes the caller's task with the result bytes a worker sent.</summary>
    public void Complete(ReadOnlySequence<byte> body, IReadOnlyList<Array> arrays)
    {
        EndRegistration();
        Frame.Release();
        try
        {
            SetResult(body, OutOfBand.ForReading(arrays));
        }
        catch (Exception e)
        {
            TrySetException(new RemoteException(
                e.GetType().FullName ?? "System.Exception",
                $"The result of {Description} could not be deserialized: {e.Message}",
                e.StackTrace ?? string.Empty,
                null));
        }
    }

    /// <summary>Fails the caller's task.</summary>
    public void Fail(Exception exception)
    {
        EndRegistration();
        Frame.Release();
        TrySetException(exception);
    }

    /// <summary>Cancels the caller's task.</summary>
    public void Cancel()
    {
        EndRegistration();
        Frame.Release();
        TrySetCanceled(CancellationToken.IsCancellationRequested ? CancellationToken : default);
    }

    /// <summary>Reads the result from <paramref name="body"/> (and the arrays that came with it) and completes the task.</summary>
    /// <exception cref="MessagePack.MessagePackSerializationException">The body does not decode as the result, or does not use every array.</exception>
    protected abstract void SetResult(ReadOnlySequence<byte> body, OutOfBand arrays);

    protected abstract void TrySetException(Exception exception);

    protected abstract void TrySetCanceled(CancellationToken token);
}

/// <summary>A <see cref="WorkItem"/> whose result is a <typeparamref name="TResult"/>.</summary>
/// <typeparam name="TResult">The declared result type (the result travels by it).</typeparam>
internal sealed class WorkItem<TResult> : WorkItem
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WorkItem(long id, FunctionRef function, OutgoingFrame frame, TimeSpan? timeout, CancellationToken cancellationToken)
        : base(id, function, frame, timeout, cancellationToken)
    {
    }

    /// <inheritdoc/>
    public override Task Task => _completion.Task;

    /// <summary>Gets the caller's typed task.</summary>
    public Task<TResult> TypedTask => _completion.Task;

    protected override void SetResult(ReadOnlySequence<byte> body, OutOfBand arrays)
    {
        var reader = new MessagePack.MessagePackReader(body);
        TResult value;
        using (OutOfBand.Use(arrays))
        {
            value = Payload.Read<TResult>(ref reader);
        }
        arrays.EnsureAllTaken();
        _completion.TrySetResult(value);
    }

    protected override void TrySetException(Exception exception) => _completion.TrySetException(exception);

    protected override void TrySetCanceled(CancellationToken token) => _completion.TrySetCanceled(token);
}
