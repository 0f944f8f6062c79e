namespace Concur;

/// <summary>One waiting thread in a <see cref="DeadlockReport"/>.</summary>
/// <param name="Thread">The waiting thread, e.g. <c>thread "transfer-1" (id 12)</c>.</param>
/// <param name="ManagedThreadId">The waiting thread's <see cref="System.Threading.Thread.ManagedThreadId"/>.</param>
/// <param name="WaitsFor">The name of the lock it waits for.</param>
/// <param name="HeldBy">The thread that holds that lock (the next entry's thread).</param>
/// <param name="HeldByManagedThreadId">That thread's <see cref="System.Threading.Thread.ManagedThreadId"/>.</param>
/// <param name="Holds">The name of the lock in the cycle that this thread holds (the one the previous entry waits for).</param>
public sealed record DeadlockCycleEntry(
    string Thread,
    int ManagedThreadId,
    string WaitsFor,
    string HeldBy,
    int HeldByManagedThreadId,
    string? Holds);
