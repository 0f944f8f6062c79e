using System.Text;

namespace Concur;

/// <summary>
/// A lock-order inversion found by lock-order checking: a thread acquires <see cref="AcquiredLock"/> while holding
/// <see cref="HeldLock"/>, but earlier acquisitions established the opposite order (<see cref="EstablishedOrder"/>:
/// <see cref="AcquiredLock"/> first, ..., <see cref="HeldLock"/> last). Two threads running both paths at the same
/// time can deadlock.
/// </summary>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class LockOrderViolation
{
    internal LockOrderViolation(
        string thread,
        int managedThreadId,
        string heldLock,
        string acquiredLock,
        string acquisitionStack,
        IReadOnlyList<LockOrderEdge> establishedOrder)
    {
        Thread = thread;
        ManagedThreadId = managedThreadId;
        HeldLock = heldLock;
        AcquiredLock = acquiredLock;
        AcquisitionStack = acquisitionStack;
        EstablishedOrder = establishedOrder;
    }

    /// <summary>Gets the thread that took the opposite order, e.g. <c>thread "transfer-2" (id 13)</c>.</summary>
    public string Thread { get; }

    /// <summary>Gets that thread's <see cref="System.Threading.Thread.ManagedThreadId"/>.</summary>
    public int ManagedThreadId { get; }

    /// <summary>Gets the name of the lock the thread holds.</summary>
    public string HeldLock { get; }

    /// <summary>Gets the name of the lock the thread acquires while holding <see cref="HeldLock"/>.</summary>
    public string AcquiredLock { get; }

    /// <summary>Gets where the thread acquires <see cref="AcquiredLock"/> (a stack trace, innermost call first).</summary>
    public string AcquisitionStack { get; }

    /// <summary>
    /// Gets the order seen before, as a chain of recorded pairs from <see cref="AcquiredLock"/> to
    /// <see cref="HeldLock"/> (one entry when the two were taken directly one inside the other), each with the
    /// thread and stack that first recorded it.
    /// </summary>
    public IReadOnlyList<LockOrderEdge> EstablishedOrder { get; }

    /// <summary>Formats the violation as Linux lockdep does: the new order, then every recorded pair it contradicts, with stacks.</summary>
    /// <returns>The violation as text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("Lock-order inversion (potential deadlock): ").Append(Thread).Append(" acquires '")
            .Append(AcquiredLock).Append("' while holding '").Append(HeldLock).Append("', but '").Append(HeldLock)
            .Append("' has been taken while holding '").Append(AcquiredLock).Append('\'');
        if (EstablishedOrder.Count > 1)
        {
            text.Append(" (through ").Append(EstablishedOrder.Count - 1).Append(" other lock");
            text.Append(EstablishedOrder.Count > 2 ? "s)" : ")");
        }
        text.Append(" before.").AppendLine();
        text.AppendLine("The order seen before:");
        foreach (var edge in EstablishedOrder)
        {
            text.Append("  ").Append(edge.Thread).Append(" acquired '").Append(edge.After).Append("' while holding '")
                .Append(edge.Before).AppendLine("' at:");
            AppendStack(text, edge.Stack);
        }
        text.AppendLine("The opposite order, now:");
        text.Append("  ").Append(Thread).Append(" acquires '").Append(AcquiredLock).Append("' while holding '")
            .Append(HeldLock).AppendLine("' at:");
        AppendStack(text, AcquisitionStack);
        text.Append("Threads running both paths at the same time can deadlock. Take the locks in one global order ('")
            .Append(AcquiredLock).Append("' before '").Append(HeldLock)
            .Append("'), or set LockOrderChecking = LockOrderPolicy.Off on a lock whose pairs can never be held by two threads at once.");
        return text.ToString();
    }

    private static void AppendStack(StringBuilder text, string stack)
    {
        foreach (var line in stack.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r').Trim();
            if (trimmed.Length > 0)
            {
                text.Append("    ").AppendLine(trimmed);
            }
        }
    }
}
