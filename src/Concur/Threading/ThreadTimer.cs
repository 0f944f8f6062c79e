using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// Runs an action once after an interval, unless cancelled first: Python's <c>threading.Timer</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Life cycle</b>, as a Python timer thread: created → <see cref="Start"/> (once; a second call throws) → waiting
/// for the interval (<see cref="IsAlive"/> is true) → running the action → finished. <see cref="Cancel"/> stops it
/// while it is still waiting (also before <see cref="Start"/>); once the action has begun, <see cref="Cancel"/> does
/// nothing. <see cref="Join(TimeSpan, CancellationToken)"/> waits until it is finished.
/// </para>
/// <para>
/// <b>Where the action runs.</b> Python starts a thread per timer; Concur uses a timer of the
/// <see cref="TimeProvider"/> (by default <see cref="TimeProvider.System"/>), so the action runs on a thread-pool
/// thread and waiting costs no thread. Keep the action short or start your own <see cref="Thread"/> from it. A test
/// can pass a fake time provider (<c>Microsoft.Extensions.Time.Testing.FakeTimeProvider</c>) and advance time
/// instead of sleeping; the action then runs inside the call that advances the clock.
/// </para>
/// <para>
/// <b>Exceptions.</b> An exception thrown by the action does not crash the process (Python prints it through
/// <c>threading.excepthook</c>): it faults <see cref="Completion"/>, where you can observe it
/// (<c>await timer.Completion</c> rethrows it). If nobody observes it, .NET reports it through
/// <see cref="TaskScheduler.UnobservedTaskException"/> when the task is collected. <see cref="Join(TimeSpan, CancellationToken)"/>
/// never throws the action's exception, as Python's <c>join()</c>.
/// </para>
/// <para>
/// Unlike <see cref="Timer"/> (periodic, no state), this type runs once and tells you how it ended. All members are
/// thread-safe.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var reminder = new ThreadTimer(TimeSpan.FromSeconds(30), () => Console.WriteLine("still working..."));
/// reminder.Start();
/// DoWork();
/// reminder.Cancel();              // no reminder if the work finished within 30 s
///
/// // Observing the outcome:
/// var flush = new ThreadTimer(TimeSpan.FromSeconds(1), FlushBuffers);
/// flush.Start();
/// await flush.Completion;         // rethrows what FlushBuffers threw; TaskCanceledException if cancelled
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ThreadTimer
{
    private readonly Lock _gate = new();
    private readonly Action _action;
    private readonly TimeProvider _timeProvider;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Completed (never faulted) once the timer is finished, so joins wait without catching the action's exception.
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _timer;
    private TimerState _state;
    private bool _started;
    private int _runningThreadId;

    /// <summary>Initializes a timer that, once started, runs <paramref name="action"/> after <paramref name="interval"/>.</summary>
    /// <param name="interval">How long to wait after <see cref="Start"/> before running the action. <see cref="TimeSpan.Zero"/> runs it as soon as possible.</param>
    /// <param name="action">The action to run once.</param>
    /// <param name="timeProvider">
    /// The source of time and timers. The default, <see langword="null"/>, uses <see cref="TimeProvider.System"/>;
    /// tests pass a fake one to control time.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is negative, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is <see langword="null"/>.</exception>
    public ThreadTimer(TimeSpan interval, Action action, TimeProvider? timeProvider = null)
    {
        if (interval < TimeSpan.Zero || interval > Timeouts.Longest)
        {
            throw new ArgumentOutOfRangeException(
                nameof(interval),
                interval,
                $"The interval must be between TimeSpan.Zero and {Timeouts.Longest}: it is how long the timer waits before running the action.");
        }
        ArgumentNullException.ThrowIfNull(action);
        Interval = interval;
        _action = action;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets how long the timer waits after <see cref="Start"/> before running the action.</summary>
    public TimeSpan Interval { get; }

    /// <summary>
    /// Gets a value indicating whether the timer has been started and has not finished yet: it is waiting for the
    /// interval or running the action (Python's <c>is_alive()</c>).
    /// </summary>
    public bool IsAlive
    {
        get
        {
            lock (_gate)
            {
                return _started && _state is TimerState.Waiting or TimerState.Running;
            }
        }
    }

    /// <summary>
    /// Gets a value indicating whether the timer is finished: the action has run (successfully or not), or the timer
    /// was cancelled before the action began (Python's <c>timer.finished.is_set()</c>).
    /// </summary>
    public bool IsFinished
    {
        get
        {
            lock (_gate)
            {
                return _state is TimerState.Ran or TimerState.Cancelled;
            }
        }
    }

    /// <summary>Gets a value indicating whether <see cref="Cancel"/> stopped the timer before the action began.</summary>
    public bool IsCancelled
    {
        get
        {
            lock (_gate)
            {
                return _state == TimerState.Cancelled;
            }
        }
    }

    /// <summary>
    /// Gets a task that tells how the timer ended: it completes successfully after the action ran, faults with the
    /// action's exception if it threw, and is cancelled if <see cref="Cancel"/> stopped the timer first.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Starts the timer: after <see cref="Interval"/> the action runs, unless <see cref="Cancel"/> is called first. A
    /// timer cancelled before it was started finishes at once without running the action.
    /// </summary>
    /// <exception cref="InvalidOperationException">The timer was started already (as a Python thread, a timer starts once).</exception>
    public void Start()
    {
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException(
                    "This ThreadTimer was started already; a timer can only be started once. Create a new ThreadTimer to run the action again.");
            }
            _started = true;
            if (_state == TimerState.Cancelled)
            {
                return;
            }
            _state = TimerState.Waiting;
        }
        // Outside the lock: a timer with a zero interval (or a fake time provider) may fire before CreateTimer returns.
        var timer = _timeProvider.CreateTimer(static state => ((ThreadTimer)state!).Fire(), this, Interval, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            if (_state == TimerState.Waiting)
            {
                _timer = timer;
                return;
            }
        }
        // It fired or was cancelled meanwhile; it never fires again either way.
        timer.Dispose();
    }

    /// <summary>
    /// Stops the timer if it is still waiting, so that the action never runs (Python's <c>cancel()</c>). Does nothing
    /// once the action has begun or finished. May be called before <see cref="Start"/>.
    /// </summary>
    public void Cancel()
    {
        ITimer? timer;
        lock (_gate)
        {
            if (_state is not (TimerState.Created or TimerState.Waiting))
            {
                return;
            }
            _state = TimerState.Cancelled;
            timer = _timer;
            _timer = null;
        }
        timer?.Dispose();
        _completion.TrySetCanceled();
        _ended.TrySetResult();
    }

    /// <summary>Blocks until the timer is finished (the action ran or the timer was cancelled).</summary>
    /// <param name="cancellationToken">Cancels the wait (not the timer). The default is <see cref="CancellationToken.None"/>.</param>
    /// <exception cref="InvalidOperationException">The timer has not been started, or this is the timer's own action joining itself.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the timer finished, or on entry.</exception>
    public void Join(CancellationToken cancellationToken = default) => Join(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Blocks until the timer is finished or <paramref name="timeout"/> elapses (Python's <c>join(timeout)</c>).</summary>
    /// <param name="timeout">How long to wait: <see cref="TimeSpan.Zero"/> only checks, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (not the timer). The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns><see langword="true"/> if the timer is finished; <see langword="false"/> if the timeout elapsed first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="InvalidOperationException">The timer has not been started, or this is the timer's own action joining itself.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the timer finished, or on entry.</exception>
    /// <remarks>The action's exception is not rethrown here; see <see cref="Completion"/>.</remarks>
    public bool Join(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        BeginJoin(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        return TaskWait.Wait(_ended.Task, timeout, cancellationToken);
    }

    /// <summary>Waits asynchronously until the timer is finished (the action ran or the timer was cancelled).</summary>
    /// <param name="cancellationToken">Cancels the wait (not the timer). The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>A task that completes when the timer is finished; it does not fault with the action's exception (see <see cref="Completion"/>).</returns>
    /// <exception cref="InvalidOperationException">The timer has not been started, or this is the timer's own action joining itself.</exception>
    /// <exception cref="OperationCanceledException">The returned task is cancelled if <paramref name="cancellationToken"/> was cancelled before the timer finished, or on entry.</exception>
    public Task JoinAsync(CancellationToken cancellationToken = default) => JoinAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Waits asynchronously until the timer is finished or <paramref name="timeout"/> elapses.</summary>
    /// <param name="timeout">How long to wait: <see cref="TimeSpan.Zero"/> only checks, <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (not the timer). The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>A task that completes with <see langword="true"/> if the timer is finished, or <see langword="false"/> if the timeout elapsed first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="InvalidOperationException">The timer has not been started, or this is the timer's own action joining itself.</exception>
    /// <exception cref="OperationCanceledException">The returned task is cancelled if <paramref name="cancellationToken"/> was cancelled before the timer finished, or on entry.</exception>
    public Task<bool> JoinAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        BeginJoin(timeout);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }
        return TaskWait.WaitAsync(_ended.Task, timeout, cancellationToken);
    }

    /// <summary>Returns the timer's interval and state, for diagnostics.</summary>
    /// <returns>For example <c>ThreadTimer (00:00:05, waiting)</c>.</returns>
    public override string ToString()
    {
        lock (_gate)
        {
            string state = _state switch
            {
                TimerState.Created => "not started",
                TimerState.Waiting => "waiting",
                TimerState.Running => "running",
                TimerState.Ran => _completion.Task.IsFaulted ? "finished, action threw" : "finished",
                _ => "cancelled",
            };
            return $"ThreadTimer ({Interval}, {state})";
        }
    }

    // The core shared by the blocking and the asynchronous joins.
    private void BeginJoin(TimeSpan timeout)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        lock (_gate)
        {
            if (!_started)
            {
                throw new InvalidOperationException("Cannot join a ThreadTimer that has not been started; call Start() first.");
            }
            if (_state == TimerState.Running && _runningThreadId == Environment.CurrentManagedThreadId)
            {
                throw new InvalidOperationException(
                    "A ThreadTimer's action cannot join its own timer: it would wait for itself forever.");
            }
        }
    }

    // The timer callback: runs the action unless the timer was cancelled first.
    private void Fire()
    {
        ITimer? timer;
        lock (_gate)
        {
            if (_state != TimerState.Waiting)
            {
                return;
            }
            _state = TimerState.Running;
            _runningThreadId = Environment.CurrentManagedThreadId;
            timer = _timer;
            _timer = null;
        }
        timer?.Dispose();
        Exception? failure = null;
        try
        {
            _action();
        }
        catch (Exception ex)
        {
            // Kept for Completion instead of crashing the process (see the remarks on the type).
            failure = ex;
        }
        lock (_gate)
        {
            _state = TimerState.Ran;
            _runningThreadId = 0;
        }
        if (failure is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            _completion.TrySetException(failure);
        }
        _ended.TrySetResult();
    }

    private enum TimerState
    {
        Created,
        Waiting,
        Running,
        Ran,
        Cancelled,
    }
}
