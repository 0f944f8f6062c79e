using System.Text;

namespace Concur;

/// <summary>
/// A deadlock found by Concur: the cycle of threads, each waiting for a lock that the next one holds, in order
/// around the cycle, starting with the thread that closed it.
/// </summary>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class DeadlockReport
{
    internal DeadlockReport(IReadOnlyList<DeadlockCycleEntry> cycle)
    {
        Cycle = cycle;
    }

    /// <summary>
    /// Gets the cycle: entry <c>i</c>'s thread waits for a lock held by entry <c>i + 1</c>'s thread, and the last
    /// waits for one held by the first. A self-deadlock has one entry whose thread holds the lock it waits for.
    /// </summary>
    public IReadOnlyList<DeadlockCycleEntry> Cycle { get; }

    /// <summary>Formats the report as PostgreSQL and Java do: one line per waiting thread.</summary>
    /// <returns>The report as text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        var first = Cycle[0];
        if (Cycle.Count == 1)
        {
            text.Append("Deadlock: ").Append(first.Thread).Append(" tried to acquire lock '").Append(first.WaitsFor)
                .Append("', which it already holds and which is not reentrant. Use a ReentrantLock if the same thread ")
                .Append("must enter twice, or release the lock before acquiring it again.");
            return text.ToString();
        }
        text.Append("Deadlock: a cycle of ").Append(Cycle.Count)
            .Append(" threads, each waiting for a lock held by the next:");
        foreach (var entry in Cycle)
        {
            text.AppendLine().Append("  ").Append(entry);
        }
        text.AppendLine().Append("The acquire in ").Append(first.Thread)
            .Append(" was refused with this exception; the others keep waiting until it releases '")
            .Append(first.Holds ?? "its locks").Append("'. Take the locks in one global order to avoid this.");
        return text.ToString();
    }
}
