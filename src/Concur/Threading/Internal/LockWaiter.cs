namespace Concur.Threading.Internal;

/// <summary>
/// One blocked wait on an <see cref="OwnedLock"/>, or on a <see cref="Condition"/> over one: a node of a
/// <see cref="WaiterQueue"/>. Its state changes only under the lock's gate; its thread (or task) is woken outside it.
/// </summary>
/// <remarks>
/// <code>
///   condition wait:  InCondition ──Notify (wait morphing)──▶ Pending ─┐
///                        │                                          │
///                        └──timeout / cancellation: the waiter moves│itself onto the lock's queue
///                                                                   ▼
///   lock acquire:                         Pending ──release──▶ Woken (compete for the free lock)
///                                            │      └──release──▶ Granted (owner set before the wake-up)
///                                            └──timeout / cancellation / deadlock victim──▶ Abandoned
/// </code>
/// A release wakes the first waiter to compete for the free lock (Woken), or, for a waiter that already lost a race
/// to a barging thread, hands the lock to it directly (Granted). A waiter in a condition's queue is not woken by a
/// notify: the notify moves it onto the lock's queue, and the release of the lock wakes it, so it never wakes only to
/// find the lock still held by the notifier (the convoy that wait morphing avoids).
/// </remarks>
internal sealed class LockWaiter
{
    private const int Pending = 0;
    private const int Granted = 1;
    private const int Abandoned = 2;
    private const int Woken = 3;
    private const int InCondition = 4;

    private readonly TaskCompletionSource? _completion;
    private volatile int _state;

    public LockWaiter(OwnedLock @lock, LockOwner owner, int recursion, bool asynchronous, bool wantsHandOff, bool timed, bool inCondition = false)
    {
        IsTimed = timed;
        WantsHandOff = wantsHandOff;
        Lock = @lock;
        Owner = owner;
        Recursion = recursion;
        _state = inCondition ? InCondition : Pending;
        if (asynchronous)
        {
            // Continuations of an async wait must never run inside Release (or Notify) on the releasing thread.
            _completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public OwnedLock Lock { get; }

    /// <summary>When the wait began, as a <see cref="System.Diagnostics.Stopwatch"/> timestamp.</summary>
    public long Since { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public LockOwner Owner { get; }

    /// <summary>Whether the wait has a finite timeout, so it ends by itself (see <see cref="TimedDeadlockPolicy.WaitOutTimeout"/>).</summary>
    public bool IsTimed { get; }

    /// <summary>The recursion count the owner gets when granted (more than 1 when a condition wait re-acquires).</summary>
    public int Recursion { get; }

    /// <summary>
    /// Gets a value indicating whether a release should hand the lock to this waiter directly instead of waking it to
    /// compete: set for a waiter that already lost a race to a barging thread.
    /// </summary>
    public bool WantsHandOff { get; }

    /// <summary>Gets a value indicating whether a <see cref="Condition.Notify"/> moved this waiter onto the lock's queue.</summary>
    public bool WasNotified { get; private set; }

    /// <summary>The queue this waiter is in, or <see langword="null"/>; kept by <see cref="WaiterQueue"/>.</summary>
    public WaiterQueue? Queue { get; set; }

    public LockWaiter? Next { get; set; }

    public LockWaiter? Previous { get; set; }

    /// <summary>Gets a value indicating whether the waiter is queued on the lock (a condition waiter is not, until notified).</summary>
    public bool IsPending => _state == Pending;

    public bool IsGranted => _state == Granted;

    /// <summary>Gets a value indicating whether the waiter still waits in a condition's queue for a notify.</summary>
    public bool IsInCondition => _state == InCondition;

    /// <summary>Gets a value indicating whether the waiter is still blocked: in a condition's queue or the lock's.</summary>
    public bool IsWaiting => _state is Pending or InCondition;

    /// <summary>Gets the task that completes when the waiter is woken or granted (async waiters only).</summary>
    public Task Completion => _completion!.Task;

    /// <summary>Marks the waiter granted. Called under the lock's gate; <see cref="Wake"/> follows outside it.</summary>
    public void MarkGranted() => _state = Granted;

    /// <summary>Marks the waiter woken to compete for the now free lock. Called under the lock's gate.</summary>
    public void MarkWoken() => _state = Woken;

    /// <summary>Marks the waiter abandoned (timed out, cancelled or chosen as a deadlock victim), under the gate.</summary>
    public void MarkAbandoned() => _state = Abandoned;

    /// <summary>
    /// Moves a condition waiter onto the lock's queue, under the gate: <paramref name="notified"/> when a notify moved
    /// it, not when the waiter moved itself after its timeout or cancellation.
    /// </summary>
    public void MarkMovedToLock(bool notified)
    {
        WasNotified = notified;
        _state = Pending;
    }

    /// <summary>Wakes the blocked thread or completes the async wait.</summary>
    public void Wake()
    {
        if (_completion is not null)
        {
            _completion.TrySetResult();
        }
        else
        {
            ((ThreadOwner)Owner).Signal.Set();
        }
    }
}
