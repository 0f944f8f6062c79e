using System.Diagnostics;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A meeting point for a fixed number of threads: Python's <c>threading.Barrier</c>. Each party calls
/// <see cref="Wait(CancellationToken)"/>; all block until the last one arrives, then all are released together and the
/// barrier is ready for the next round.
/// </summary>
/// <remarks>
/// <para>
/// <b>Rounds.</b> The barrier is reusable: once every party of a round has arrived, the next
/// <see cref="Wait(CancellationToken)"/> starts a new round. <c>Wait</c> returns the caller's arrival index in its
/// round, from 0 (first to arrive) to <see cref="Parties"/> − 1 (last), different for every party, as in Python;
/// use it to pick one party for housekeeping.
/// </para>
/// <para>
/// <b>Action.</b> The optional action runs once per round, on the last thread to arrive, before any party is
/// released. If it throws, the barrier breaks: that thread gets the action's exception and the others a
/// <see cref="BrokenBarrierException"/>.
/// </para>
/// <para>
/// <b>Broken state.</b> <see cref="Abort"/> breaks the barrier, and so does a waiter whose timeout elapses or whose
/// token is cancelled before the round is complete (Python's rule: one party giving up means the round can never
/// finish, so nobody is left hanging). Every party waiting in the round is released with a
/// <see cref="BrokenBarrierException"/>, the party that timed out too; a cancelled party gets
/// <see cref="OperationCanceledException"/>. While broken, every <c>Wait</c> throws
/// <see cref="BrokenBarrierException"/> at once, until <see cref="Reset"/>. Once the last party has arrived the round
/// is decided by the action: a timeout or cancellation that happens while the action runs does not break it.
/// </para>
/// <para>
/// <b>Difference from <see cref="Barrier"/>.</b> The BCL's <see cref="Barrier"/> has a variable number of
/// participants and no broken state: a participant that gives up leaves the others blocked. This type follows
/// Python. All members are thread-safe; blocking and asynchronous waiters may be mixed in one round.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var barrier = new ThreadBarrier(3, action: () => Console.WriteLine("all three are ready"));
/// var threads = Enumerable.Range(0, 3).Select(i => new Thread(() =>
/// {
///     Prepare(i);
///     int index = barrier.Wait(TimeSpan.FromSeconds(10)); // throws BrokenBarrierException if someone is late
///     if (index == 0) Console.WriteLine("first to arrive");
///     Work(i);
/// })).ToList();
/// threads.ForEach(t => t.Start());
/// threads.ForEach(t => t.Join());
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class ThreadBarrier
{
    private readonly Lock _gate = new();
    private readonly Action? _action;
    private readonly TimeSpan _defaultTimeout;
    private Round _round = new();
    private bool _broken;

    /// <summary>Initializes a barrier for <paramref name="parties"/> parties.</summary>
    /// <param name="parties">How many parties must call <c>Wait</c> before all are released. At least 1.</param>
    /// <param name="action">
    /// An optional action run once per round by the last party to arrive, before any party is released. The default is none.
    /// </param>
    /// <param name="timeout">
    /// The timeout of <see cref="Wait(CancellationToken)"/> and <see cref="WaitAsync(CancellationToken)"/> when none is
    /// passed. The default, <see langword="null"/>, waits forever (<see cref="Timeout.InfiniteTimeSpan"/>).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="parties"/> is less than 1, or <paramref name="timeout"/> is negative other than
    /// <see cref="Timeout.InfiniteTimeSpan"/>.
    /// </exception>
    public ThreadBarrier(int parties, Action? action = null, TimeSpan? timeout = null)
    {
        if (parties < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(parties),
                parties,
                "A barrier needs at least 1 party: pass how many threads must arrive before all are released.");
        }
        var defaultTimeout = timeout ?? Timeout.InfiniteTimeSpan;
        Timeouts.Validate(defaultTimeout, nameof(timeout));
        Parties = parties;
        _action = action;
        _defaultTimeout = defaultTimeout;
    }

    /// <summary>Gets the number of parties that must arrive to complete a round.</summary>
    public int Parties { get; }

    /// <summary>
    /// Gets the number of parties waiting in the current round (Python's <c>n_waiting</c>); 0 while the barrier is broken.
    /// </summary>
    public int WaitingCount
    {
        get
        {
            lock (_gate)
            {
                return _broken ? 0 : _round.Arrived;
            }
        }
    }

    /// <summary>Gets a value indicating whether the barrier is broken (see the remarks on the type); <see cref="Reset"/> mends it.</summary>
    public bool IsBroken
    {
        get
        {
            lock (_gate)
            {
                return _broken;
            }
        }
    }

    /// <summary>
    /// Waits until every party has arrived, with the timeout given at construction (forever by default).
    /// </summary>
    /// <param name="cancellationToken">
    /// Cancels the wait; cancelling before the round is complete breaks the barrier for the other parties. The default
    /// is <see cref="CancellationToken.None"/>.
    /// </param>
    /// <returns>The caller's arrival index in this round, from 0 to <see cref="Parties"/> − 1.</returns>
    /// <exception cref="BrokenBarrierException">
    /// The barrier is broken, or broke or was reset while waiting, or the timeout elapsed (which breaks it).
    /// </exception>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled on entry (the barrier is left as it was) or while waiting
    /// (the barrier breaks).
    /// </exception>
    /// <remarks>If this caller is the last to arrive, it runs the action first; an exception from the action propagates to it.</remarks>
    public int Wait(CancellationToken cancellationToken = default) => Wait(_defaultTimeout, cancellationToken);

    /// <summary>Waits until every party has arrived or <paramref name="timeout"/> elapses (Python's <c>wait(timeout)</c>).</summary>
    /// <param name="timeout">
    /// How long to wait: <see cref="Timeout.InfiniteTimeSpan"/> waits forever. When it elapses the barrier breaks.
    /// </param>
    /// <param name="cancellationToken">
    /// Cancels the wait; cancelling before the round is complete breaks the barrier for the other parties. The default
    /// is <see cref="CancellationToken.None"/>.
    /// </param>
    /// <returns>The caller's arrival index in this round, from 0 to <see cref="Parties"/> − 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="BrokenBarrierException">
    /// The barrier is broken, or broke or was reset while waiting, or <paramref name="timeout"/> elapsed before the
    /// round was complete (which breaks it).
    /// </exception>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled on entry (the barrier is left as it was) or while waiting
    /// (the barrier breaks).
    /// </exception>
    /// <remarks>If this caller is the last to arrive, it runs the action first; an exception from the action propagates to it.</remarks>
    public int Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return SyncOrAsync.RunSync(WaitCore(timeout, sync: true, cancellationToken));
    }

    /// <summary>
    /// Waits asynchronously until every party has arrived, with the timeout given at construction (forever by default).
    /// </summary>
    /// <param name="cancellationToken">
    /// Cancels the wait; cancelling before the round is complete breaks the barrier for the other parties. The default
    /// is <see cref="CancellationToken.None"/>.
    /// </param>
    /// <returns>A task that completes with the caller's arrival index in this round, from 0 to <see cref="Parties"/> − 1.</returns>
    /// <exception cref="BrokenBarrierException">
    /// The task faults if the barrier is broken, or broke or was reset while waiting, or the timeout elapsed (which breaks it).
    /// </exception>
    /// <exception cref="OperationCanceledException">
    /// The task is cancelled if <paramref name="cancellationToken"/> was cancelled on entry (the barrier is left as it
    /// was) or while waiting (the barrier breaks).
    /// </exception>
    /// <remarks>If this caller is the last to arrive, it runs the action first, synchronously; an exception from the action faults the task.</remarks>
    public Task<int> WaitAsync(CancellationToken cancellationToken = default) => WaitAsync(_defaultTimeout, cancellationToken);

    /// <summary>Waits asynchronously until every party has arrived or <paramref name="timeout"/> elapses.</summary>
    /// <param name="timeout">
    /// How long to wait: <see cref="Timeout.InfiniteTimeSpan"/> waits forever. When it elapses the barrier breaks.
    /// </param>
    /// <param name="cancellationToken">
    /// Cancels the wait; cancelling before the round is complete breaks the barrier for the other parties. The default
    /// is <see cref="CancellationToken.None"/>.
    /// </param>
    /// <returns>A task that completes with the caller's arrival index in this round, from 0 to <see cref="Parties"/> − 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>, or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="BrokenBarrierException">
    /// The task faults if the barrier is broken, or broke or was reset while waiting, or <paramref name="timeout"/>
    /// elapsed before the round was complete (which breaks it).
    /// </exception>
    /// <exception cref="OperationCanceledException">
    /// The task is cancelled if <paramref name="cancellationToken"/> was cancelled on entry (the barrier is left as it
    /// was) or while waiting (the barrier breaks).
    /// </exception>
    /// <remarks>If this caller is the last to arrive, it runs the action first, synchronously; an exception from the action faults the task.</remarks>
    public Task<int> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        return WaitCore(timeout, sync: false, cancellationToken).AsTask();
    }

    /// <summary>
    /// Breaks the barrier (Python's <c>abort()</c>): every party waiting now, and every later <c>Wait</c>, gets a
    /// <see cref="BrokenBarrierException"/> until <see cref="Reset"/> is called. Use it to shut down a group of threads
    /// when one of them fails, so that none waits forever.
    /// </summary>
    public void Abort()
    {
        lock (_gate)
        {
            BreakLocked(_round, BreakCause.Aborted, null);
        }
    }

    /// <summary>
    /// Returns the barrier to its initial, empty state (Python's <c>reset()</c>): parties waiting now get a
    /// <see cref="BrokenBarrierException"/>, a broken barrier is mended, and later <c>Wait</c> calls start a fresh round.
    /// </summary>
    public void Reset()
    {
        lock (_gate)
        {
            _broken = false;
            if (_round.Arrived > 0)
            {
                var old = _round;
                _round = new Round();
                old.Break(BreakCause.Reset, null);
            }
            AssertInvariants();
        }
    }

    /// <summary>Returns the barrier's parties, waiting count and state, for diagnostics.</summary>
    /// <returns>For example <c>ThreadBarrier (2/3 waiting)</c> or <c>ThreadBarrier (3 parties, broken)</c>.</returns>
    public override string ToString()
    {
        lock (_gate)
        {
            return _broken ? $"ThreadBarrier ({Parties} parties, broken)" : $"ThreadBarrier ({_round.Arrived}/{Parties} waiting)";
        }
    }

    // The one core of Wait and WaitAsync (the twin rule, see SyncOrAsync): arrive, then wait for the round's outcome
    // by blocking (sync) or awaiting; a waiter whose time runs out or whose token is cancelled first leaves early.
    private async ValueTask<int> WaitCore(TimeSpan timeout, bool sync, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var arrival = Arrive();
        if (arrival.IsLast)
        {
            return Trip(arrival);
        }
        var outcome = arrival.Round.Outcome.Task;
        bool completed;
        var cancelled = false;
        try
        {
            completed = sync
                ? TaskWait.Wait(outcome, timeout, cancellationToken)
                : await TaskWait.WaitAsync(outcome, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            completed = false;
            cancelled = true;
        }
        if (!completed)
        {
            LeaveEarly(arrival.Round, cancelled, cancellationToken);
            // Every party arrived meanwhile: the round is decided by the action; wait for it.
            if (sync)
            {
                outcome.Wait(CancellationToken.None);
            }
            else
            {
                await outcome.ConfigureAwait(false);
            }
        }
        return Passed(arrival);
    }

    // Registers the caller in the current round. The last party closes the round and opens the next one at once, so
    // later callers never wait for this round to drain (Python blocks them while it does; the effect is the same).
    private Arrival Arrive()
    {
        lock (_gate)
        {
            if (_broken)
            {
                throw _round.BrokenException();
            }
            var round = _round;
            int index = round.Arrived++;
            bool last = index + 1 == Parties;
            if (last)
            {
                round.Closed = true;
                _round = new Round();
            }
            AssertInvariants();
            return new Arrival(round, index, last);
        }
    }

    // Run by the last party: the action (outside the lock, as it is user code), then the release of the round.
    private int Trip(Arrival arrival)
    {
        if (_action is not null)
        {
            try
            {
                _action();
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    arrival.Round.Break(BreakCause.ActionFailed, ex);
                    BreakLocked(_round, BreakCause.ActionFailed, ex);
                }
                throw;
            }
        }
        arrival.Round.Outcome.TrySetResult(true);
        return arrival.Index;
    }

    // Called when a waiter's timeout elapsed or its token was cancelled before its round ended. If the round is still
    // filling, the waiter breaks the barrier (Python's rule) and throws: BrokenBarrierException for a timeout,
    // OperationCanceledException for a cancellation. If the round was already broken, it throws the same way. If the
    // round passed or is closed (every party arrived, the action decides), it returns and the caller takes the outcome.
    private void LeaveEarly(Round round, bool cancelled, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var outcome = round.Outcome.Task;
            if (outcome.IsCompleted)
            {
                if (outcome.Result)
                {
                    return;
                }
                // Broken or reset by someone else just before we gave up: nothing more to break.
            }
            else if (round.Closed)
            {
                return;
            }
            else
            {
                BreakLocked(round, cancelled ? BreakCause.Cancelled : BreakCause.TimedOut, null);
            }
        }
        if (cancelled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
        throw round.BrokenException();
    }

    private static int Passed(Arrival arrival) =>
        arrival.Round.Outcome.Task.Result ? arrival.Index : throw arrival.Round.BrokenException();

    // Puts the barrier into the broken state and releases the waiters of the current round. Python's _break().
    private void BreakLocked(Round round, BreakCause cause, Exception? exception)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        _broken = true;
        if (ReferenceEquals(round, _round))
        {
            _round = new Round(cause, exception);
        }
        round.Break(cause, exception);
        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        Debug.Assert(_round.Arrived < Parties, "The open round can never hold every party: the last one closes it.");
        Debug.Assert(!_round.Closed);
        Debug.Assert(!_broken || _round.Arrived == 0, "No party joins a round while the barrier is broken.");
    }

    private enum BreakCause
    {
        Aborted,
        TimedOut,
        Cancelled,
        ActionFailed,
        Reset,
    }

    private readonly record struct Arrival(Round Round, int Index, bool IsLast);

    // One round (Python calls it a generation): the parties that arrived in it, and how it ended.
    private sealed class Round
    {
        private BreakCause _cause;
        private Exception? _exception;

        public Round()
        {
        }

        // A fresh round of a broken barrier remembers why the barrier broke, for the message later callers get.
        public Round(BreakCause cause, Exception? exception)
        {
            _cause = cause;
            _exception = exception;
        }

        // Completed with true when every party passed, with false when the round was broken or reset.
        public TaskCompletionSource<bool> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Arrived { get; set; }

        // Every party arrived: the outcome is being decided by the action and can no longer be broken by a waiter.
        public bool Closed { get; set; }

        // Always called under the barrier's lock; the cause is recorded before the waiters are woken to read it.
        public void Break(BreakCause cause, Exception? exception)
        {
            if (Outcome.Task.IsCompleted)
            {
                return;
            }
            _cause = cause;
            _exception = exception;
            Outcome.TrySetResult(false);
        }

        public BrokenBarrierException BrokenException() => _cause switch
        {
            BreakCause.Aborted => new BrokenBarrierException(
                "The barrier was aborted (ThreadBarrier.Abort). Call Reset() before using it again."),
            BreakCause.TimedOut => new BrokenBarrierException(
                "The barrier is broken: a party's wait timed out before every party arrived. Call Reset() before using it again."),
            BreakCause.Cancelled => new BrokenBarrierException(
                "The barrier is broken: a party's wait was cancelled before every party arrived. Call Reset() before using it again."),
            BreakCause.ActionFailed => new BrokenBarrierException(
                "The barrier is broken: its action threw (see the inner exception). Call Reset() before using it again.",
                _exception),
            _ => new BrokenBarrierException(
                "The barrier was reset (ThreadBarrier.Reset) while this party was waiting; the next Wait starts a fresh round."),
        };
    }
}
