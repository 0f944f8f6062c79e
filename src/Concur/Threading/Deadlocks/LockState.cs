namespace Concur;

/// <summary>One lock in a <see cref="LockDiagnostics"/> snapshot.</summary>
/// <param name="Name">The lock's name.</param>
/// <param name="Kind"><c>ExclusiveLock</c> or <c>ReentrantLock</c>.</param>
/// <param name="Holder">Who holds it (a thread or an async acquisition), or <see langword="null"/> when free.</param>
/// <param name="HolderThreadId">The holding thread's managed id, or <see langword="null"/> when free or held by an async acquisition.</param>
/// <param name="RecursionCount">How many times the holder has acquired it (0 when free).</param>
/// <param name="HeldFor">How long it has been held; known only while <see cref="DeadlockDetection.TrackHoldTimes"/> is on.</param>
/// <param name="Waiters">The blocked acquirers, longest waiting first.</param>
public sealed record LockState(
    string Name,
    string Kind,
    string? Holder,
    int? HolderThreadId,
    int RecursionCount,
    TimeSpan? HeldFor,
    IReadOnlyList<LockWaiterState> Waiters);
