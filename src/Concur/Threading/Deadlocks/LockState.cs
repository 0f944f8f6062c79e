using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Concur;

/// <summary>One lock in a <see cref="LockDiagnostics"/> snapshot.</summary>
/// <remarks>
/// A class with read-only properties and no public constructor, so that later versions can add properties without
/// breaking code compiled against this one (a positional record's constructor and <c>Deconstruct</c> would change).
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class LockState
{
    internal LockState(
        string name,
        string kind,
        string? holder,
        int? holderThreadId,
        int recursionCount,
        TimeSpan? heldFor,
        IReadOnlyList<LockWaiterState> waiters)
    {
        Name = name;
        Kind = kind;
        Holder = holder;
        HolderThreadId = holderThreadId;
        RecursionCount = recursionCount;
        HeldFor = heldFor;
        Waiters = waiters;
    }

    /// <summary>Gets the lock's name.</summary>
    public string Name { get; }

    /// <summary>Gets the lock's kind: <c>ExclusiveLock</c> or <c>ReentrantLock</c>.</summary>
    public string Kind { get; }

    /// <summary>Gets who holds it (a thread or an async acquisition), or <see langword="null"/> when free.</summary>
    public string? Holder { get; }

    /// <summary>Gets the holding thread's managed id, or <see langword="null"/> when free or held by an async acquisition.</summary>
    public int? HolderThreadId { get; }

    /// <summary>Gets how many times the holder has acquired it (0 when free).</summary>
    public int RecursionCount { get; }

    /// <summary>Gets how long it has been held; known only while <see cref="DeadlockDetection.TrackHoldTimes"/> is on.</summary>
    public TimeSpan? HeldFor { get; }

    /// <summary>Gets the blocked acquirers, longest waiting first.</summary>
    public IReadOnlyList<LockWaiterState> Waiters { get; }

    /// <summary>Describes the lock as <see cref="LockDiagnostics.Describe"/> lists it: who holds it, then one line per waiter.</summary>
    /// <returns>For example <c>ExclusiveLock 'a': held by thread "t1" (id 12) for 3 ms</c>, then <c>    waiting: thread "t2" (id 13) for 2.5 ms</c> lines.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Kind).Append(" '").Append(Name).Append("': ");
        if (Holder is null)
        {
            text.Append("free");
        }
        else
        {
            text.Append("held by ").Append(Holder);
            if (RecursionCount > 1)
            {
                text.Append(" (").Append(RecursionCount).Append(" times)");
            }
            if (HeldFor is { } held)
            {
                text.Append(" for ").Append(held.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)).Append(" ms");
            }
        }
        foreach (var waiter in Waiters)
        {
            text.AppendLine().Append("    waiting: ").Append(waiter);
        }
        return text.ToString();
    }
}
