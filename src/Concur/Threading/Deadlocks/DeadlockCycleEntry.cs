using System.Diagnostics;

namespace Concur;

/// <summary>One waiting thread in a <see cref="DeadlockReport"/>.</summary>
/// <remarks>
/// A class with read-only properties and no public constructor, so that later versions can add properties without
/// breaking code compiled against this one (a positional record's constructor and <c>Deconstruct</c> would change).
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class DeadlockCycleEntry
{
    internal DeadlockCycleEntry(string thread, int managedThreadId, string waitsFor, string heldBy, int heldByManagedThreadId, string? holds)
    {
        Thread = thread;
        ManagedThreadId = managedThreadId;
        WaitsFor = waitsFor;
        HeldBy = heldBy;
        HeldByManagedThreadId = heldByManagedThreadId;
        Holds = holds;
    }

    /// <summary>Gets the waiting thread, e.g. <c>thread "transfer-1" (id 12)</c>.</summary>
    public string Thread { get; }

    /// <summary>Gets the waiting thread's <see cref="System.Threading.Thread.ManagedThreadId"/>.</summary>
    public int ManagedThreadId { get; }

    /// <summary>Gets the name of the lock it waits for.</summary>
    public string WaitsFor { get; }

    /// <summary>Gets the thread that holds that lock (the next entry's thread).</summary>
    public string HeldBy { get; }

    /// <summary>Gets that thread's <see cref="System.Threading.Thread.ManagedThreadId"/>.</summary>
    public int HeldByManagedThreadId { get; }

    /// <summary>Gets the name of the lock in the cycle that this thread holds (the one the previous entry waits for).</summary>
    public string? Holds { get; }

    /// <summary>Describes the entry as a line of the report.</summary>
    /// <returns>For example <c>thread "t1" (id 12) waits for lock 'B', held by thread "t2" (id 13) (it holds 'A')</c>.</returns>
    public override string ToString() =>
        $"{Thread} waits for lock '{WaitsFor}', held by {HeldBy}" + (Holds is null ? "" : $" (it holds '{Holds}')");
}
