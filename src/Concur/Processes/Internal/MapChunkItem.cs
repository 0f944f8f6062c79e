using System.Buffers;
using System.Diagnostics;
using Concur.Executors.Internal;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>
/// One chunk of a process map on its way through the pool. Its answer is <see cref="ChunkAnswer"/>'s
/// <c>[done, error | nil, results]</c>, checked on the reader thread (<see cref="Accept"/>), and its task completes
/// with a <see cref="ChunkOutcome{TResult}"/> (the results before the first failing item, and that item's
/// exception), so an item's exception never costs the results before it.
/// </summary>
/// <remarks>
/// The map's stop token (its token, its timeout, or the end of the enumeration) cancels the chunk only while it is
/// queued. Its registration is dropped as soon as the chunk ends, whichever way: kept until the enumeration ends, it
/// would hold every completed chunk, and so every result, of an endless map.
/// </remarks>
/// <typeparam name="TResult">The declared result type (the results travel by it).</typeparam>
internal sealed class MapChunkItem<TResult> : WorkItem
{
    // Not asynchronous: the task never reaches user code; its only continuations are the map pipeline's own short,
    // non-blocking ones, so running them on the reader thread saves a thread-pool hop per chunk.
    private readonly TaskCompletionSource<ChunkOutcome<TResult>> _completion = new(TaskCreationOptions.None);
    private readonly int _items;
    private readonly AdaptiveChunks? _sizer;
    private readonly Lock _sync = new();
    private CancellationTokenRegistration _stopRegistration;
    private bool _ended;
    private int _done;
    private RemoteException? _error;
    private long _answerBytes;

    /// <summary>Creates the item for a chunk of <paramref name="items"/> items.</summary>
    /// <param name="id">The task id.</param>
    /// <param name="function">The mapped function.</param>
    /// <param name="frame">The <see cref="FrameKind.InvokeChunk"/> frame.</param>
    /// <param name="items">How many items the chunk holds.</param>
    /// <param name="sizer">The adaptive sizer to tell what the chunk cost, or <see langword="null"/> for fixed chunks.</param>
    public MapChunkItem(long id, FunctionRef function, OutgoingFrame frame, int items, AdaptiveChunks? sizer)
        : base(id, function, frame, null, CancellationToken.None)
    {
        _items = items;
        _sizer = sizer;
    }

    /// <inheritdoc/>
    public override Task Task => _completion.Task;

    /// <summary>Gets the caller's typed task.</summary>
    public Task<ChunkOutcome<TResult>> TypedTask => _completion.Task;

    /// <summary>Makes <paramref name="stop"/> cancel the chunk while it is queued in <paramref name="engine"/>; call once, after it is queued.</summary>
    public void CancelWhileQueued(ProcessPoolEngine engine, CancellationToken stop)
    {
        if (!stop.CanBeCanceled)
        {
            return;
        }
        CancellationTokenRegistration registration = stop.UnsafeRegister(static state =>
        {
            var (e, i) = ((ProcessPoolEngine, WorkItem))state!;
            e.TryCancelQueued(i);
        }, (engine, (WorkItem)this));
        bool alreadyEnded;
        lock (_sync)
        {
            alreadyEnded = _ended;
            if (!alreadyEnded)
            {
                _stopRegistration = registration;
            }
        }
        if (alreadyEnded)
        {
            // The chunk ended before the registration was stored, so Ended could not drop it.
            registration.Unregister();
        }
    }

    /// <inheritdoc/>
    public override ReadOnlySequence<byte> Accept(in FrameHeader header, ReadOnlySequence<byte> body)
    {
        FromWorker.ChunkResult answer = FromWorker.ChunkResult.Decode(header, body, _items);
        _done = answer.Done;
        _error = answer.Error;
        _answerBytes = body.Length;
        return answer.Results;
    }

    protected override void SetResult(ReadOnlySequence<byte> body, OutOfBand arrays)
    {
        TResult[] results;
        using (OutOfBand.Use(arrays))
        {
            results = ChunkAnswer.ReadResults<TResult>(body, _done);
        }
        arrays.EnsureAllTaken();
        if (_error is null && _sizer is not null)
        {
            _sizer.Observe(_items, Frame.Length + _answerBytes, Stopwatch.GetTimestamp() - StartedAt);
        }
        Ended();
        _completion.TrySetResult(new ChunkOutcome<TResult>(results, _error));
    }

    protected override void TrySetException(Exception exception)
    {
        Ended();
        _completion.TrySetException(exception);
    }

    protected override void TrySetCanceled(CancellationToken token)
    {
        Ended();
        _completion.TrySetCanceled(token);
    }

    /// <summary>Drops the stop registration (Unregister does not wait for a callback under way, so no lock order to keep).</summary>
    private void Ended()
    {
        CancellationTokenRegistration registration;
        lock (_sync)
        {
            _ended = true;
            registration = _stopRegistration;
            _stopRegistration = default;
        }
        registration.Unregister();
    }
}
