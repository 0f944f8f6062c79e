using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>
/// A local process pool that runs calls serialized elsewhere (<see cref="SerializedCalls"/>): a cluster node's pool.
/// The same engine as <see cref="ProcessPoolExecutor"/>, so a hard timeout kills a runaway task, a crashing task fails
/// only itself, and a tasks-per-child limit recycles workers, exactly as locally.
/// </summary>
internal sealed class SerializedCallPool
{
    private readonly ProcessPoolEngine _engine;
    private readonly ConcurrentDictionary<byte[], FunctionRef> _functions = new(ByteContent.Comparer);

    /// <summary>Starts the workers.</summary>
    /// <param name="workers">How many worker processes.</param>
    /// <param name="initializerDefinition">The initializer's definition, or <see langword="null"/> for none.</param>
    /// <param name="initializerPayload">The initializer's captured values.</param>
    /// <param name="maxTasksPerChild">Tasks per worker before it is replaced; 0 for no limit.</param>
    /// <exception cref="InvalidOperationException">The initializer's definition does not match this node's build of the application.</exception>
    public SerializedCallPool(int workers, byte[]? initializerDefinition, byte[]? initializerPayload, int maxTasksPerChild)
    {
        FunctionRef? initializer = null;
        OutgoingFrame? frame = null;
        if (initializerDefinition is not null)
        {
            initializer = Resolve(initializerDefinition);
            frame = BuildFrame(FrameKind.Initialize, 0, initializer, initializerPayload ?? []);
        }
        _engine = new ProcessPoolEngine("ConcurNode", workers, initializer, frame, maxTasksPerChild);
    }

    /// <summary>Gets the number of worker processes.</summary>
    public int Workers => _engine.MaxWorkers;

    /// <summary>Gets the process ids of the live workers.</summary>
    public IReadOnlyList<int> WorkerProcessIds => _engine.WorkerProcessIds;

    /// <summary>Gets a task that completes when every worker has exited after <see cref="Shutdown"/>.</summary>
    public Task Exited => _engine.Exited;

    /// <summary>
    /// Runs one serialized call. The task completes with the result's bytes, or faults as a local pool's task does:
    /// <see cref="RemoteException"/> (the function threw), <see cref="TimeoutException"/> (hard timeout),
    /// <see cref="WorkerCrashedException"/>, <see cref="BrokenExecutorException"/>, or ends cancelled.
    /// </summary>
    /// <param name="definition">The function's definition.</param>
    /// <param name="payload">The captured values, then the arguments (for a chunk, the items array).</param>
    /// <param name="chunk">Whether this is a map chunk (its answer is a chunk's answer).</param>
    /// <param name="timeout">The hard time limit, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call, queued or running (a running call's worker is killed).</param>
    /// <exception cref="InvalidOperationException">The definition does not match this node's build of the application, or the pool is shut down.</exception>
    public Task<SerializedAnswer> Run(byte[] definition, byte[] payload, bool chunk, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        FunctionRef function = _functions.GetOrAdd(definition, static d => Resolve(d));
        long id = CallFrames.NextId();
        OutgoingFrame frame = BuildFrame(chunk ? FrameKind.InvokeChunk : FrameKind.Invoke, id, function, payload);
        var item = new SerializedWorkItem(id, function, frame, timeout, cancellationToken);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<SerializedAnswer>(cancellationToken);
        }
        _engine.Enqueue(item);
        return item.Answer;
    }

    /// <summary>Stops accepting calls; the workers exit once idle (with <paramref name="cancelPending"/>, queued calls end cancelled).</summary>
    public void Shutdown(bool cancelPending) => _engine.Shutdown(cancelPending);

    /// <summary>Kills the workers now; running and queued calls fail.</summary>
    public void Kill() => _engine.StopWorkers(Platform.Signals.SIGKILL, "node shutdown");

    /// <summary>
    /// Finds the function a definition names in this process and checks it is the same build: the definition this
    /// process computes for it must equal the one received, byte for byte.
    /// </summary>
    private static FunctionRef Resolve(byte[] definition)
    {
        FunctionDefinition resolved;
        try
        {
            resolved = FunctionDefinition.Read(definition);
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException or MessagePack.MessagePackSerializationException or EndOfStreamException)
        {
            throw new InvalidOperationException(
                $"This node cannot find the function it was sent ({e.GetType().Name}: {e.Message}). Start the node with the " +
                "application that submits the work (concur node --app path/to/App.dll), built from the same source.", e);
        }
        Delegate probe = resolved.Kind switch
        {
            TargetKind.None => Delegate.CreateDelegate(resolved.DelegateType, resolved.Method),
            TargetKind.Closure => Delegate.CreateDelegate(resolved.DelegateType, RuntimeHelpers.GetUninitializedObject(resolved.Shape!.Type), resolved.Method),
            _ => throw new InvalidOperationException("A cluster call names a function bound to a serialized object; only functions and lambdas run on a cluster."),
        };
        Type returns = resolved.DelegateType.GetGenericArguments() is { Length: > 0 } arguments ? arguments[^1] : typeof(void);
        bool awaited = resolved.DelegateType.Name.StartsWith("Func`", StringComparison.Ordinal) && typeof(Task).IsAssignableFrom(returns);
        FunctionRef function = FunctionRef.From(probe, "function", awaited);
        if (!function.Definition.AsSpan().SequenceEqual(definition))
        {
            throw new InvalidOperationException(
                $"This node runs another build of {function.Description} than the caller (its captured variables differ). " +
                "Start every node with the same build of the application as the caller.");
        }
        return function;
    }

    private static OutgoingFrame BuildFrame(FrameKind kind, long id, FunctionRef function, byte[] payload)
    {
        var buffer = new FrameBuffer(64 + payload.Length);
        Frame.Begin(buffer);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), function.Id);
        buffer.Advance(4);
        buffer.Write(payload);
        return Frame.Finish(buffer, kind, id);
    }

    /// <summary>Compares byte arrays by content (definitions are cached by their bytes).</summary>
    private sealed class ByteContent : IEqualityComparer<byte[]>
    {
        public static readonly ByteContent Comparer = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}

/// <summary>The answer to a serialized call: the result's bytes and the arrays that travelled beside them.</summary>
/// <param name="Body">The serialized result (for a chunk, the chunk's answer).</param>
/// <param name="Arrays">The out-of-band arrays the body refers to.</param>
internal sealed record SerializedAnswer(byte[] Body, IReadOnlyList<Array> Arrays);

/// <summary>A serialized call in the node's pool: completes with the answer's bytes, read by the caller, not here.</summary>
internal sealed class SerializedWorkItem : WorkItem
{
    private readonly TaskCompletionSource<SerializedAnswer> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SerializedWorkItem(long id, FunctionRef function, OutgoingFrame frame, TimeSpan? timeout, CancellationToken cancellationToken)
        : base(id, function, frame, timeout, cancellationToken)
    {
    }

    /// <inheritdoc/>
    public override Task Task => _completion.Task;

    /// <summary>Gets the answer.</summary>
    public Task<SerializedAnswer> Answer => _completion.Task;

    protected override void SetResult(ReadOnlySequence<byte> body, OutOfBand arrays) =>
        _completion.TrySetResult(new SerializedAnswer(body.ToArray(), arrays.Incoming));

    protected override void TrySetException(Exception exception) => _completion.TrySetException(exception);

    protected override void TrySetCanceled(CancellationToken token) => _completion.TrySetCanceled(token);
}
