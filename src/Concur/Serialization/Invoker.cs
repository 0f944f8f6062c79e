using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// Calls a delegate of one signature in the worker: reads each argument by its declared type, calls, and writes the
/// result by its declared type. One closed generic invoker per signature, so no reflection per call.
/// </summary>
internal abstract class Invoker
{
    /// <summary>
    /// Creates the invoker for <paramref name="delegateType"/> (the signatures the public API accepts: Action,
    /// Action&lt;T&gt;, Func with up to two parameters, and the async functions Func&lt;Task&gt;,
    /// Func&lt;Task&lt;TResult&gt;&gt; and Func&lt;T, Task&lt;TResult&gt;&gt;, which are awaited).
    /// </summary>
    /// <remarks>
    /// A delegate whose result is a task reaches a worker only through the overloads that await it (the parent refuses
    /// it anywhere else, see <see cref="FunctionRef.From"/>), so the delegate type alone says to await.
    /// </remarks>
    public static Invoker For(Type delegateType)
    {
        if (delegateType == typeof(Action))
        {
            return new ActionInvoker();
        }
        if (delegateType == typeof(Func<Task>))
        {
            return new AsyncActionInvoker();
        }
        Type definition = delegateType.GetGenericTypeDefinition();
        Type[] a = delegateType.GetGenericArguments();
        if (TaskResultType(a[^1]) is Type awaited && (definition == typeof(Func<>) || definition == typeof(Func<,>)))
        {
            a[^1] = awaited;
            Type async = definition == typeof(Func<>) ? typeof(AsyncFuncInvoker<>) : typeof(AsyncFuncInvoker<,>);
            return (Invoker)Activator.CreateInstance(async.MakeGenericType(a))!;
        }
        Type open = definition switch
        {
            _ when definition == typeof(Func<>) => typeof(FuncInvoker<>),
            _ when definition == typeof(Func<,>) => typeof(FuncInvoker<,>),
            _ when definition == typeof(Func<,,>) => typeof(FuncInvoker<,,>),
            _ when definition == typeof(Action<>) => typeof(ActionInvoker<>),
            _ => throw new NotSupportedException($"Delegate type {delegateType} is not supported."),
        };
        return (Invoker)Activator.CreateInstance(open.MakeGenericType(a))!;
    }

    /// <summary>Returns <c>T</c> when <paramref name="type"/> is <see cref="Task{TResult}"/> of <c>T</c>, otherwise <see langword="null"/>.</summary>
    public static Type? TaskResultType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>) ? type.GetGenericArguments()[0] : null;

    /// <summary>Reads the arguments, calls <paramref name="function"/>, writes the result (nil for an action).</summary>
    public abstract void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result);

    /// <summary>
    /// Reads an array of argument items (single values, or tuples for several parameters), calls the function on each
    /// until one throws, and writes the results so far with that exception (<see cref="ChunkAnswer"/>).
    /// </summary>
    public virtual void InvokeChunk(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result) =>
        throw new NotSupportedException("Only functions of one or two parameters can be mapped.");

    /// <summary>Reads one value of <typeparamref name="T"/>.</summary>
    protected static T Read<T>(ref MessagePackReader reader) => Payload.Read<T>(ref reader);

    /// <summary>Writes one value of <typeparamref name="T"/>.</summary>
    protected static void Write<T>(ref MessagePackWriter writer, T value) => Payload.Write(ref writer, value);

    /// <summary>
    /// Waits for an async function's task and returns its result, or throws what it failed with: the function's own
    /// exception, unwrapped (as <c>await</c> throws it, never an <see cref="AggregateException"/>), so it travels as
    /// the same <see cref="RemoteException"/> a synchronous throw gives.
    /// </summary>
    /// <remarks>
    /// Blocking the worker's loop is deliberate: a worker runs one task at a time, and the parent's hard timeout and
    /// cancellation stop a task that never completes by killing the worker. The worker has no synchronization
    /// context, so the function's continuations run on the worker process's thread pool, never on this thread.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The function returned <see langword="null"/> instead of a task.</exception>
    /// <exception cref="OperationCanceledException">The task ended cancelled (the message says so).</exception>
    protected static TResult Await<TResult>(Task<TResult>? task)
    {
        ThrowIfNull(task);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e) when (task.IsCanceled)
        {
            throw Cancelled(e);
        }
    }

    /// <summary>Waits for an async action's task, or throws what it failed with (see <see cref="Await{TResult}"/>).</summary>
    /// <exception cref="InvalidOperationException">The function returned <see langword="null"/> instead of a task.</exception>
    /// <exception cref="OperationCanceledException">The task ended cancelled (the message says so).</exception>
    protected static void Await(Task? task)
    {
        ThrowIfNull(task);
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e) when (task.IsCanceled)
        {
            throw Cancelled(e);
        }
    }

    private static void ThrowIfNull([System.Diagnostics.CodeAnalysis.NotNull] Task? task)
    {
        if (task is null)
        {
            throw new InvalidOperationException(
                "The async function returned null instead of a task, so there is nothing to await. Return a task " +
                "(an async method or lambda always does), or Task.CompletedTask / Task.FromResult(value).");
        }
    }

    /// <summary>
    /// A cancelled task becomes an exception of the same type whose message says what happened: the caller's token
    /// cannot reach a worker process (it stops a running task by killing the worker), so a task cancelled in the
    /// worker was cancelled by the function's own token or timeout.
    /// </summary>
    private static OperationCanceledException Cancelled(OperationCanceledException e)
    {
        string message =
            $"The async function's task ended cancelled in the worker process ({e.Message}): it was cancelled by a " +
            "token or timeout of its own. To cancel from the caller, pass a CancellationToken to Submit (it stops " +
            "the worker); to treat the cancellation as a result, catch OperationCanceledException inside the function.";
        return e is TaskCanceledException ? new TaskCanceledException(message, e) : new OperationCanceledException(message, e);
    }
}
