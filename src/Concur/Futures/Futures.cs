using Concur.Executors.Internal;

using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// Waits on groups of tasks as Python's <c>concurrent.futures.as_completed</c> and <c>wait</c> do. Works with any
/// tasks, whether they come from an <see cref="IExecutor"/> or not.
/// </summary>
/// <remarks>
/// <para>As in Python, the input is treated as a set: a task listed twice is yielded (or reported) once.</para>
/// <para>
/// An <c>AsCompleted</c> enumeration lets go of each task once it has moved past it, as CPython's does since
/// bpo-14406: a loop that drops the tasks it has handled does not keep them, nor their results, alive until it ends.
/// The returned sequence itself keeps them all (it can be enumerated again), so enumerate the call's result directly
/// rather than keeping the sequence in a variable for a long loop.
/// </para>
/// </remarks>
public static class Futures
{
    /// <summary>
    /// Yields <paramref name="tasks"/> as they complete: first those already complete (in input order), then the
    /// others in completion order. Like Python's <c>as_completed</c>.
    /// </summary>
    /// <typeparam name="T">The tasks' result type.</typeparam>
    /// <param name="tasks">The tasks; duplicates are yielded once. The sequence is read at the call.</param>
    /// <param name="timeout">
    /// The most time the whole enumeration may take, counted from its start; <see langword="null"/> (the default) or
    /// <see cref="Timeout.InfiniteTimeSpan"/> means no limit.
    /// </param>
    /// <param name="cancellationToken">Stops the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The distinct tasks, each complete when yielded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="TimeoutException">Thrown during enumeration when the timeout runs out before every task has completed.</exception>
    public static IEnumerable<Task<T>> AsCompleted<T>(
        IEnumerable<Task<T>> tasks,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        new AsCompletedSequence<Task<T>>(Distinct(tasks, timeout), timeout, cancellationToken);

    /// <summary>
    /// Yields <paramref name="tasks"/> as they complete: first those already complete (in input order), then the
    /// others in completion order. Like Python's <c>as_completed</c>.
    /// </summary>
    /// <param name="tasks">The tasks; duplicates are yielded once. The sequence is read at the call.</param>
    /// <param name="timeout">
    /// The most time the whole enumeration may take, counted from its start; <see langword="null"/> (the default) or
    /// <see cref="Timeout.InfiniteTimeSpan"/> means no limit.
    /// </param>
    /// <param name="cancellationToken">Stops the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The distinct tasks, each complete when yielded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="TimeoutException">Thrown during enumeration when the timeout runs out before every task has completed.</exception>
    public static IEnumerable<Task> AsCompleted(
        IEnumerable<Task> tasks,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        new AsCompletedSequence<Task>(Distinct(tasks, timeout), timeout, cancellationToken);

    /// <summary>The asynchronous twin of <see cref="AsCompleted{T}(IEnumerable{Task{T}}, TimeSpan?, CancellationToken)"/>.</summary>
    /// <typeparam name="T">The tasks' result type.</typeparam>
    /// <param name="tasks">The tasks; duplicates are yielded once. The sequence is read at the call.</param>
    /// <param name="timeout">The most time the whole enumeration may take, counted from its start; <see langword="null"/> means no limit.</param>
    /// <param name="cancellationToken">Stops the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The distinct tasks, each complete when yielded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="TimeoutException">Thrown during enumeration when the timeout runs out before every task has completed.</exception>
    public static IAsyncEnumerable<Task<T>> AsCompletedAsync<T>(
        IEnumerable<Task<T>> tasks,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        new AsCompletedSequence<Task<T>>(Distinct(tasks, timeout), timeout, cancellationToken);

    /// <summary>The asynchronous twin of <see cref="AsCompleted(IEnumerable{Task}, TimeSpan?, CancellationToken)"/>.</summary>
    /// <param name="tasks">The tasks; duplicates are yielded once. The sequence is read at the call.</param>
    /// <param name="timeout">The most time the whole enumeration may take, counted from its start; <see langword="null"/> means no limit.</param>
    /// <param name="cancellationToken">Stops the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The distinct tasks, each complete when yielded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="TimeoutException">Thrown during enumeration when the timeout runs out before every task has completed.</exception>
    public static IAsyncEnumerable<Task> AsCompletedAsync(
        IEnumerable<Task> tasks,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        new AsCompletedSequence<Task>(Distinct(tasks, timeout), timeout, cancellationToken);

    /// <summary>
    /// Blocks until the condition <paramref name="returnWhen"/> holds for <paramref name="tasks"/> or the timeout runs
    /// out, then reports which tasks are done. Like Python's <c>concurrent.futures.wait</c>.
    /// </summary>
    /// <remarks>
    /// Running out of time is not an error: the result then simply has tasks in <see cref="DoneAndNotDone{TTask}.NotDone"/>.
    /// An empty input returns at once with two empty sets.
    /// </remarks>
    /// <typeparam name="TTask">The type of the tasks (<see cref="Task"/> or <see cref="Task{TResult}"/>).</typeparam>
    /// <param name="tasks">The tasks; duplicates count once. The sequence is read at the call.</param>
    /// <param name="timeout">
    /// The most time to wait; <see langword="null"/> (the default) or <see cref="Timeout.InfiniteTimeSpan"/> waits
    /// as long as it takes.
    /// </param>
    /// <param name="returnWhen">When to return; the default is <see cref="ReturnWhen.AllCompleted"/>.</param>
    /// <param name="cancellationToken">Stops the wait with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The distinct tasks split into those complete when the wait returned and the rest.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/> or longer than <see cref="int.MaxValue"/> milliseconds, or <paramref name="returnWhen"/> is not a defined value.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static DoneAndNotDone<TTask> Wait<TTask>(
        IEnumerable<TTask> tasks,
        TimeSpan? timeout = null,
        ReturnWhen returnWhen = ReturnWhen.AllCompleted,
        CancellationToken cancellationToken = default)
        where TTask : Task
    {
        var distinct = ValidateWait(tasks, timeout, returnWhen);
        var pending = WaitCore(distinct, timeout, returnWhen, sync: true, cancellationToken);
        if (!pending.IsCompleted)
        {
            throw new InvalidOperationException("Internal error: a synchronous wait did not complete synchronously.");
        }
        return pending.Result;
    }

    /// <summary>
    /// The asynchronous twin of <see cref="Wait{TTask}"/>: completes when the condition <paramref name="returnWhen"/>
    /// holds or the timeout runs out.
    /// </summary>
    /// <typeparam name="TTask">The type of the tasks (<see cref="Task"/> or <see cref="Task{TResult}"/>).</typeparam>
    /// <param name="tasks">The tasks; duplicates count once. The sequence is read at the call.</param>
    /// <param name="timeout">The most time to wait; <see langword="null"/> (the default) waits as long as it takes.</param>
    /// <param name="returnWhen">When to complete; the default is <see cref="ReturnWhen.AllCompleted"/>.</param>
    /// <param name="cancellationToken">Cancels the wait (the returned task ends cancelled).</param>
    /// <returns>The distinct tasks split into those complete when the wait ended and the rest.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/> or longer than <see cref="int.MaxValue"/> milliseconds, or <paramref name="returnWhen"/> is not a defined value.
    /// </exception>
    public static Task<DoneAndNotDone<TTask>> WaitAsync<TTask>(
        IEnumerable<TTask> tasks,
        TimeSpan? timeout = null,
        ReturnWhen returnWhen = ReturnWhen.AllCompleted,
        CancellationToken cancellationToken = default)
        where TTask : Task
    {
        var distinct = ValidateWait(tasks, timeout, returnWhen);
        return WaitCore(distinct, timeout, returnWhen, sync: false, cancellationToken).AsTask();
    }

    private static TTask[] ValidateWait<TTask>(IEnumerable<TTask> tasks, TimeSpan? timeout, ReturnWhen returnWhen)
        where TTask : Task
    {
        if (!Enum.IsDefined(returnWhen))
        {
            throw new ArgumentOutOfRangeException(nameof(returnWhen), returnWhen, "returnWhen must be FirstCompleted, FirstException or AllCompleted.");
        }
        return Distinct(tasks, timeout);
    }

    private static TTask[] Distinct<TTask>(IEnumerable<TTask> tasks, TimeSpan? timeout)
        where TTask : Task
    {
        ArgumentNullException.ThrowIfNull(tasks);
        Timeouts.Validate(timeout, nameof(timeout));
        var seen = new HashSet<TTask>(ReferenceEqualityComparer.Instance);
        var distinct = new List<TTask>();
        foreach (var task in tasks)
        {
            if (task is null)
            {
                throw new ArgumentNullException(nameof(tasks), "The sequence of tasks contains null; pass only tasks.");
            }
            if (seen.Add(task))
            {
                distinct.Add(task);
            }
        }
        return [.. distinct];
    }

    private static async ValueTask<DoneAndNotDone<TTask>> WaitCore<TTask>(
        TTask[] tasks,
        TimeSpan? timeout,
        ReturnWhen returnWhen,
        bool sync,
        CancellationToken cancellationToken)
        where TTask : Task
    {
        var deadline = Deadline.Start(timeout);
        var satisfied = false;
        var pending = new List<TTask>();
        // One look at each task decides whether it counts as done now or is watched; looking twice would lose a task
        // that completes between the looks.
        foreach (var task in tasks)
        {
            if (task.IsCompleted)
            {
                satisfied |= returnWhen == ReturnWhen.FirstCompleted || (returnWhen == ReturnWhen.FirstException && task.IsFaulted);
            }
            else
            {
                pending.Add(task);
            }
        }
        if (!satisfied && pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var completions = new CompletionQueue<TTask>();
            foreach (var task in pending)
            {
                completions.Watch(task);
            }
            for (var waitingFor = pending.Count; waitingFor > 0; waitingFor--)
            {
                var next = sync
                    ? completions.Take(deadline.Remaining, cancellationToken)
                    : await completions.TakeAsync(deadline.Remaining, cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    break; // Timed out: report what is done now.
                }
                if (returnWhen == ReturnWhen.FirstCompleted || (returnWhen == ReturnWhen.FirstException && next.IsFaulted))
                {
                    break;
                }
            }
        }
        var done = new HashSet<TTask>(ReferenceEqualityComparer.Instance);
        var notDone = new HashSet<TTask>(ReferenceEqualityComparer.Instance);
        foreach (var task in tasks)
        {
            (task.IsCompleted ? done : notDone).Add(task);
        }
        return new DoneAndNotDone<TTask>(done, notDone);
    }
}
