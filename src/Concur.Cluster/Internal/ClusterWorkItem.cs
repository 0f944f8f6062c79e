using Concur.Executors.Internal;
using Concur.Processes.Internal;

namespace Concur.Cluster.Internal;

/// <summary>Where a cluster task is.</summary>
internal enum ClusterWorkState
{
    /// <summary>In the executor's queue (never lost: it waits there until a node has a free worker).</summary>
    Queued,

    /// <summary>Sent to a node.</summary>
    Running,

    /// <summary>Ended.</summary>
    Done,
}

/// <summary>
/// One task on its way through a <see cref="ClusterEngine"/>: the call serialized at Submit, its state (guarded by the
/// engine's lock), and the caller's task. The answer is read here, in the caller's process, by the declared type.
/// </summary>
internal abstract class ClusterWorkItem
{
    protected ClusterWorkItem(long id, SerializedFunction function, byte[] payload, bool chunk, TimeSpan? timeout, CancellationToken token)
    {
        Id = id;
        Function = function;
        Payload = payload;
        Chunk = chunk;
        Timeout = timeout;
        CancellationToken = token;
    }

    /// <summary>Gets the task id (unique in this process).</summary>
    public long Id { get; }

    /// <summary>Gets the function.</summary>
    public SerializedFunction Function { get; }

    /// <summary>Gets the captured values and arguments.</summary>
    public byte[] Payload { get; }

    /// <summary>Gets a value indicating whether this is a map chunk.</summary>
    public bool Chunk { get; }

    /// <summary>Gets the hard timeout, or <see langword="null"/>.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>Gets the token that cancels the task (for a chunk: only while queued).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Gets or sets the state (engine's lock).</summary>
    public ClusterWorkState State { get; set; }

    /// <summary>Gets or sets the node running it (engine's lock).</summary>
    public NodeSlot? Node { get; set; }

    /// <summary>Gets or sets how many times it was sent (engine's lock); an answer from an earlier attempt is ignored.</summary>
    public int Attempt { get; set; }

    /// <summary>Gets or sets the cancellation registration.</summary>
    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Gets a description for messages.</summary>
    public string Description => $"task {Id} ({Function.Description})";

    /// <summary>Gets the caller's task.</summary>
    public abstract Task Task { get; }

    /// <summary>Builds the request for a node.</summary>
    public WorkRequest Request(Guid session) => new()
    {
        Session = session,
        TaskId = Id,
        Definition = Function.Definition,
        Payload = Payload,
        Chunk = Chunk,
        TimeoutTicks = Timeout?.Ticks ?? 0,
    };

    /// <summary>Completes the caller's task from a node's answer; returns the executor-wide failure it reports, if any.</summary>
    public BrokenExecutorException? Complete(WorkAnswer answer)
    {
        Registration.Dispose();
        switch (answer.Outcome)
        {
            case WorkOutcome.Result:
                try
                {
                    var arrays = new Array[answer.Arrays.Length];
                    for (int i = 0; i < arrays.Length; i++)
                    {
                        arrays[i] = SerializedCalls.ArrayFrom(answer.ArrayTypes[i], answer.Arrays[i]);
                    }
                    SetResult(answer.Body, arrays);
                }
                catch (Exception e) when (e is InvalidDataException or IndexOutOfRangeException)
                {
                    TrySetException(new RemoteException(e.GetType().FullName ?? "System.Exception",
                        $"The result of {Description} could not be deserialized: {e.Message}", e.StackTrace ?? "", null));
                }
                return null;
            case WorkOutcome.Error:
                TrySetException(SerializedCalls.ReadError(answer.Body));
                return null;
            case WorkOutcome.Timeout:
                TrySetException(new TimeoutException(answer.Message));
                return null;
            case WorkOutcome.Crashed:
                TrySetException(new WorkerCrashedException(answer.Message));
                return null;
            case WorkOutcome.Broken:
                var broken = new BrokenExecutorException(answer.Message, answer.Body.Length > 0 ? SerializedCalls.ReadError(answer.Body) : null);
                TrySetException(broken);
                return broken;
            case WorkOutcome.Cancelled:
                TrySetCanceled(CancellationToken.IsCancellationRequested ? CancellationToken : default);
                return null;
            default:
                TrySetException(new InvalidOperationException($"{Description} could not run: {answer.Message}"));
                return null;
        }
    }

    /// <summary>Fails the caller's task.</summary>
    public void Fail(Exception exception)
    {
        Registration.Dispose();
        TrySetException(exception);
    }

    /// <summary>Cancels the caller's task.</summary>
    public void Cancel()
    {
        Registration.Dispose();
        TrySetCanceled(CancellationToken.IsCancellationRequested ? CancellationToken : default);
    }

    protected abstract void SetResult(byte[] body, Array[] arrays);

    protected abstract void TrySetException(Exception exception);

    protected abstract void TrySetCanceled(CancellationToken token);
}

/// <summary>A single call whose result is a <typeparamref name="TResult"/>.</summary>
/// <typeparam name="TResult">The declared result type.</typeparam>
internal sealed class ClusterWorkItem<TResult> : ClusterWorkItem
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClusterWorkItem(long id, SerializedFunction function, byte[] payload, TimeSpan? timeout, CancellationToken token)
        : base(id, function, payload, chunk: false, timeout, token)
    {
    }

    /// <inheritdoc/>
    public override Task Task => _completion.Task;

    /// <summary>Gets the caller's typed task.</summary>
    public Task<TResult> TypedTask => _completion.Task;

    protected override void SetResult(byte[] body, Array[] arrays) =>
        _completion.TrySetResult(SerializedCalls.ReadResult<TResult>(body, arrays));

    protected override void TrySetException(Exception exception) => _completion.TrySetException(exception);

    protected override void TrySetCanceled(CancellationToken token) => _completion.TrySetCanceled(token);
}

/// <summary>A map chunk: completes with the results before the first failing item, and that item's exception.</summary>
/// <typeparam name="TResult">The declared result type.</typeparam>
internal sealed class ClusterChunkItem<TResult> : ClusterWorkItem
{
    private readonly TaskCompletionSource<ChunkOutcome<TResult>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _items;

    public ClusterChunkItem(long id, SerializedFunction function, byte[] payload, int items, CancellationToken stop)
        : base(id, function, payload, chunk: true, null, stop)
    {
        _items = items;
    }

    /// <inheritdoc/>
    public override Task Task => _completion.Task;

    /// <summary>Gets the caller's typed task.</summary>
    public Task<ChunkOutcome<TResult>> TypedTask => _completion.Task;

    protected override void SetResult(byte[] body, Array[] arrays)
    {
        (TResult[] results, RemoteException? error) = SerializedCalls.ReadChunk<TResult>(body, arrays, _items);
        _completion.TrySetResult(new ChunkOutcome<TResult>(results, error));
    }

    protected override void TrySetException(Exception exception) => _completion.TrySetException(exception);

    protected override void TrySetCanceled(CancellationToken token) => _completion.TrySetCanceled(token);
}
