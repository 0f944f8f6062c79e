namespace Concur.Threading.Internal;

/// <summary>
/// One blocked acquire of an <see cref="OwnedLock"/>, queued in arrival order. Its state changes only under the
/// lock's gate. A release either wakes the first waiter to compete for the free lock (Woken), or, for a waiter that
/// already lost a race, hands the lock to it directly (Granted: the owner is set before the waiter wakes).
/// </summary>
internal sealed class LockWaiter
{
    private const int Pending = 0;
    private const int Granted = 1;
    private const int Abandoned = 2;
    private const int Woken = 3;

    private volatile int _state;
    private readonly TaskCompletionSource<bool>? _completion;

    public LockWaiter(OwnedLock @lock, LockOwner owner, int recursion, bool asynchronous, bool wantsHandOff, bool timed)
    {
        IsTimed = timed;
        WantsHandOff = wantsHandOff;
        Lock = @lock;
        Owner = owner;
        Recursion = recursion;
        if (asynchronous)
        {
            // Continuations of an async acquire must never run inside Release on the releasing thread.
            _completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
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

    public LockWaiter? Next { get; set; }

    public LockWaiter? Previous { get; set; }

    public bool IsPending => _state == Pending;

    public bool IsGranted => _state == Granted;

    /// <summary>Gets the task that completes when the lock is granted (async waiters only).</summary>
    public Task<bool> Completion => _completion!.Task;

    /// <summary>Marks the waiter granted. Called under the lock's gate; <see cref="Wake"/> follows outside it.</summary>
    public void MarkGranted() => _state = Granted;

    /// <summary>Marks the waiter woken to compete for the now free lock. Called under the lock's gate.</summary>
    public void MarkWoken() => _state = Woken;

    /// <summary>Marks the waiter abandoned (timed out, cancelled or chosen as a deadlock victim), under the gate.</summary>
    public void MarkAbandoned() => _state = Abandoned;

    /// <summary>Wakes the blocked thread or completes the async acquire.</summary>
    public void Wake()
    {
        if (_completion is not null)
        {
            _completion.TrySetResult(true);
        }
        else
        {
            ((ThreadOwner)Owner).Signal.Set();
        }
    }
}
