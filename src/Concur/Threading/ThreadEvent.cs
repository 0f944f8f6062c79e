using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A flag that threads can wait for: Python's <c>threading.Event</c>. <see cref="Set"/> raises the flag and wakes
/// every waiter; <see cref="Clear"/> lowers it; <see cref="Wait(CancellationToken)"/> blocks until it is raised.
/// </summary>
/// <remarks>
/// <para>
/// A waiter that was waiting when <see cref="Set"/> was called is woken even if <see cref="Clear"/> follows
/// immediately, before it got to run (CPython's <c>test_set_and_clear</c>, issue 13502): each set delivers to every
/// waiter present at that moment.
/// </para>
/// <para>
/// Blocking and asynchronous waiters wait on one shared signal per "cleared period" (a
/// <see cref="TaskCompletionSource"/> created with <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>),
/// so <see cref="Set"/> never runs an awaiting caller's continuation inline on the setting thread. It resembles
/// <see cref="ManualResetEventSlim"/>, which has no asynchronous wait and no such delivery guarantee. All members are
/// thread-safe.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var ready = new ThreadEvent();
/// var worker = new Thread(() =>
/// {
///     ready.Wait();            // blocks until the main thread calls Set
///     Console.WriteLine("go");
/// });
/// worker.Start();
/// LoadConfiguration();
/// ready.Set();
///
/// // With a timeout, asynchronously:
/// bool started = await ready.WaitAsync(TimeSpan.FromSeconds(5));
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ThreadEvent
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _signal = NewSignal();
    private volatile bool _isSet;

    /// <summary>Initializes an event whose flag starts lowered, as in Python, or raised.</summary>
    /// <param name="initiallySet">Whether the flag starts raised. The default is <see langword="false"/>, as in Python.</param>
    public ThreadEvent(bool initiallySet = false)
    {
        if (initiallySet)
        {
            _isSet = true;
            _signal.SetResult();
        }
    }

    /// <summary>Gets a value indicating whether the flag is raised (Python's <c>is_set()</c>).</summary>
    public bool IsSet => _isSet;

    /// <summary>Raises the flag and wakes every thread and task waiting for it. Does nothing if it is already raised.</summary>
    public void Set()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (_isSet)
            {
                return;
            }
            _isSet = true;
            signal = _signal;
        }
        // Outside the lock: completing wakes the waiters; their continuations are queued, never run inline here.
        signal.TrySetResult();
    }

    /// <summary>Lowers the flag, so that later waits block until the next <see cref="Set"/>. Does nothing if it is already lowered.</summary>
    /// <remarks>Waiters woken by an earlier <see cref="Set"/> still return as woken, even if they have not run yet.</remarks>
    public void Clear()
    {
        lock (_gate)
        {
            if (!_isSet)
            {
                return;
            }
            _isSet = false;
            _signal = NewSignal();
        }
    }

    /// <summary>Blocks until the flag is raised (Python's <c>wait()</c>). Returns at once if it is raised already.</summary>
    /// <param name="cancellationToken">Cancels the wait. The default is <see cref="CancellationToken.None"/>.</param>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled before the flag was raised, or on entry.
    /// </exception>
    public void Wait(CancellationToken cancellationToken = default) =>
        Wait(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Blocks until the flag is raised or <paramref name="timeout"/> elapses (Python's <c>wait(timeout)</c>).</summary>
    /// <param name="timeout">How long to wait: <see cref="TimeSpan.Zero"/> only checks, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>
    /// <see langword="true"/> if the flag was raised (also when it was cleared again before this thread resumed);
    /// <see langword="false"/> if the timeout elapsed first.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled before the flag was raised, or on entry.
    /// </exception>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var signal = BeginWait(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        return TaskWait.Wait(signal, timeout, cancellationToken);
    }

    /// <summary>Waits asynchronously until the flag is raised. Completes at once if it is raised already.</summary>
    /// <param name="cancellationToken">Cancels the wait. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>A task that completes when the flag has been raised.</returns>
    /// <exception cref="OperationCanceledException">
    /// The returned task is cancelled if <paramref name="cancellationToken"/> was cancelled before the flag was raised, or on entry.
    /// </exception>
    public Task WaitAsync(CancellationToken cancellationToken = default) =>
        WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Waits asynchronously until the flag is raised or <paramref name="timeout"/> elapses.</summary>
    /// <param name="timeout">How long to wait: <see cref="TimeSpan.Zero"/> only checks, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>
    /// A task that completes with <see langword="true"/> if the flag was raised (also when it was cleared again
    /// before the continuation ran), or <see langword="false"/> if the timeout elapsed first.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="OperationCanceledException">
    /// The returned task is cancelled if <paramref name="cancellationToken"/> was cancelled before the flag was raised, or on entry.
    /// </exception>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var signal = BeginWait(timeout);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }
        return TaskWait.WaitAsync(signal, timeout, cancellationToken);
    }

    /// <summary>Describes the flag's state now, as CPython's <c>repr</c> of an event shows <c>set</c> or <c>unset</c>.</summary>
    /// <returns><c>ThreadEvent (set)</c> or <c>ThreadEvent (clear)</c>.</returns>
    public override string ToString() => _isSet ? "ThreadEvent (set)" : "ThreadEvent (clear)";

    // The core shared by the blocking and the asynchronous waits: checks the timeout and returns the signal of the
    // current cleared period (already completed when the flag is raised).
    private Task BeginWait(TimeSpan timeout)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        lock (_gate)
        {
            return _signal.Task;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
