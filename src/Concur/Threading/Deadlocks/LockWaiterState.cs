using System.Diagnostics;
using System.Globalization;

namespace Concur;

/// <summary>One blocked acquirer in a <see cref="LockState"/>.</summary>
/// <remarks>
/// A class with read-only properties and no public constructor, so that later versions can add properties without
/// breaking code compiled against this one (a positional record's constructor and <c>Deconstruct</c> would change).
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class LockWaiterState
{
    internal LockWaiterState(string waiter, int? managedThreadId, TimeSpan waitingFor)
    {
        Waiter = waiter;
        ManagedThreadId = managedThreadId;
        WaitingFor = waitingFor;
    }

    /// <summary>Gets who waits: a thread or an async acquisition.</summary>
    public string Waiter { get; }

    /// <summary>Gets the waiting thread's managed id, or <see langword="null"/> for an async acquisition.</summary>
    public int? ManagedThreadId { get; }

    /// <summary>Gets how long it has been waiting.</summary>
    public TimeSpan WaitingFor { get; }

    /// <summary>Describes the waiter as <see cref="LockDiagnostics.Describe"/> lists it.</summary>
    /// <returns>For example <c>thread "t2" (id 13) for 12.5 ms</c>.</returns>
    public override string ToString() =>
        $"{Waiter} for {WaitingFor.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms";
}
