using Concur.Threading.Deadlocks;
using Microsoft.Extensions.Logging;

namespace Concur;

/// <summary>
/// Process-wide settings of Concur's deadlock detection for <see cref="ExclusiveLock"/>, <see cref="ReentrantLock"/>
/// and the re-acquire inside <see cref="Condition"/> waits.
/// </summary>
/// <remarks>
/// <para>
/// Detection costs nothing on the uncontended path: only an acquire that must block publishes what it waits for
/// and walks the wait-for graph (lock → owner → the lock that owner waits for → ...), usually one to three hops.
/// If the walk comes back to the calling thread, that thread closed a cycle: its acquire throws
/// <see cref="DeadlockException"/> and the other threads in the cycle keep waiting.
/// </para>
/// <para>
/// Only owned locks take part. Semaphores and events have no single owner, so a cycle through one is never
/// reported; re-entering a <see cref="ReentrantLock"/> never waits; a condition wait's own wait (for a notify) is not
/// a lock wait. Asynchronous acquisitions are not detected.
/// </para>
/// <para>
/// Lock-order checking (<see cref="LockOrderChecking"/>, off by default) finds potential deadlocks too: it records
/// "B taken while holding A" the first time a thread does that, and reports the first acquire in the opposite order
/// even when no thread actually waits.
/// </para>
/// </remarks>
public static class DeadlockDetection
{
    private static volatile bool s_enabled = true;
    private static volatile TimedDeadlockPolicy s_timedWaits = TimedDeadlockPolicy.Throw;
    private static volatile LockOrderPolicy s_lockOrder = LockOrderPolicy.Off;
    private static volatile Action<LockOrderViolation>? s_lockOrderWarning;
    private static volatile ILogger? s_logger;

    /// <summary>
    /// Gets or sets a value indicating whether blocking acquires detect deadlocks. The default is
    /// <see langword="true"/>; when <see langword="false"/>, a deadlocked acquire blocks forever, as in Python.
    /// </summary>
    public static bool Enabled
    {
        get => s_enabled;
        set => s_enabled = value;
    }

    /// <summary>
    /// Gets or sets what an acquire with a finite timeout does when it would close a cycle. The default is
    /// <see cref="TimedDeadlockPolicy.Throw"/>.
    /// </summary>
    public static TimedDeadlockPolicy TimedWaits
    {
        get => s_timedWaits;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Use TimedDeadlockPolicy.Throw or TimedDeadlockPolicy.WaitOutTimeout.");
            }
            s_timedWaits = value;
        }
    }

    /// <summary>
    /// Gets or sets lock-order checking for every lock that does not set its own
    /// (<see cref="OwnedLock.LockOrderChecking"/>). The default is <see cref="LockOrderPolicy.Off"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// When on, each thread keeps a list of the locks it holds, and a blocking acquire of lock B while holding A
    /// records the pair A → B the first time it is seen (with the acquiring stack). An acquire that would add an
    /// edge closing a cycle (B → A after A → B, or through more locks) is a lock-order inversion: a potential
    /// deadlock, reported even when this run did not deadlock, before the acquire waits. A pair seen before costs a
    /// look-up in a small per-lock cache and no graph search.
    /// </para>
    /// <para>
    /// A pair is checked unless either lock has <see cref="OwnedLock.LockOrderChecking"/> set to
    /// <see cref="LockOrderPolicy.Off"/>; otherwise the stricter of the two locks' policies applies (a lock without
    /// its own setting uses this one). Re-entering a lock held already, <c>TryAcquire()</c> without a timeout and
    /// asynchronous acquisitions add no pair. Recorded orders keep a small node per lock involved for the life of
    /// the process; <see cref="ResetLockOrder"/> forgets them.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="LockOrderPolicy"/>.</exception>
    public static LockOrderPolicy LockOrderChecking
    {
        get => s_lockOrder;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Use LockOrderPolicy.Off, Warn or Throw.");
            }
            s_lockOrder = value;
            LockOrderGraph.Recompute();
        }
    }

    /// <summary>
    /// Gets or sets the callback that receives lock-order inversions under <see cref="LockOrderPolicy.Warn"/>. It
    /// runs on the acquiring thread before the acquire waits, outside Concur's internal locks (the thread still
    /// holds the locks it held); if it throws, the exception propagates from the acquire. The default is
    /// <see langword="null"/>: inversions go to <see cref="Logger"/>, or to standard error when neither is set.
    /// </summary>
    public static Action<LockOrderViolation>? LockOrderWarning
    {
        get => s_lockOrderWarning;
        set => s_lockOrderWarning = value;
    }

    /// <summary>
    /// Gets or sets the logger that receives lock-order inversions under <see cref="LockOrderPolicy.Warn"/>, as
    /// warnings with event id 1 (<c>LockOrderInversion</c>). The default is <see langword="null"/>.
    /// </summary>
    public static ILogger? Logger
    {
        get => s_logger;
        set => s_logger = value;
    }

    /// <summary>
    /// Gets or sets a value indicating whether locks record when their owner took them, for
    /// <see cref="LockDiagnostics"/>. It costs a timestamp per acquire; the default is <see langword="false"/>.
    /// </summary>
    public static bool TrackHoldTimes
    {
        get => TrackTimes;
        set => TrackTimes = value;
    }

    internal static bool TrackTimes { get; private set; }

    /// <summary>
    /// Forgets every lock order recorded so far, accepted and reported alike, so the next acquisitions establish
    /// the order anew. For tests and for programs that change their locking between phases.
    /// </summary>
    public static void ResetLockOrder() => LockOrderGraph.Reset();
}
