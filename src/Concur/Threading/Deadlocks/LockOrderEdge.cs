using System.Diagnostics;

namespace Concur;

/// <summary>One recorded lock order in a <see cref="LockOrderViolation"/>: <see cref="After"/> was taken while holding <see cref="Before"/>.</summary>
/// <remarks>
/// A class with read-only properties and no public constructor, so that later versions can add properties without
/// breaking code compiled against this one (a positional record's constructor and <c>Deconstruct</c> would change).
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class LockOrderEdge
{
    internal LockOrderEdge(string before, string after, string thread, int managedThreadId, string stack)
    {
        Before = before;
        After = after;
        Thread = thread;
        ManagedThreadId = managedThreadId;
        Stack = stack;
    }

    /// <summary>Gets the name of the lock that was held.</summary>
    public string Before { get; }

    /// <summary>Gets the name of the lock that was taken while holding it.</summary>
    public string After { get; }

    /// <summary>Gets the thread that first took them in this order, e.g. <c>thread "transfer-1" (id 12)</c>.</summary>
    public string Thread { get; }

    /// <summary>Gets that thread's <see cref="System.Threading.Thread.ManagedThreadId"/>.</summary>
    public int ManagedThreadId { get; }

    /// <summary>Gets where <see cref="After"/> was acquired that first time (a stack trace, innermost call first).</summary>
    public string Stack { get; }

    /// <summary>Describes the order in one line, without the stack.</summary>
    /// <returns>For example <c>thread "t1" (id 12) acquired 'B' while holding 'A'</c>.</returns>
    public override string ToString() => $"{Thread} acquired '{After}' while holding '{Before}'";
}
