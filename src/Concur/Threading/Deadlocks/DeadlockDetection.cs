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
/// </remarks>
public static class DeadlockDetection
{
    private static volatile bool s_enabled = true;
    private static volatile TimedDeadlockPolicy s_timedWaits = TimedDeadlockPolicy.Throw;

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
        set => s_timedWaits = value;
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
}
