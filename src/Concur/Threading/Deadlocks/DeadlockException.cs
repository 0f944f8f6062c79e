namespace Concur;

/// <summary>
/// Thrown by a blocking acquire of an <see cref="ExclusiveLock"/> or <see cref="ReentrantLock"/> (or the re-acquire
/// in a <see cref="Condition"/> wait) that would never return: the calling thread would close a cycle of threads
/// each waiting for a lock the next one holds, or it tried to acquire a non-reentrant lock it already holds.
/// </summary>
/// <remarks>
/// Only the thread that closed the cycle gets the exception; the others keep waiting and go on once it releases
/// what it holds (leaving its <c>using</c> blocks does that). <see cref="Report"/> holds the cycle as data.
/// </remarks>
public sealed class DeadlockException : Exception
{
    /// <summary>Creates an exception for <paramref name="report"/>.</summary>
    /// <param name="report">The deadlock found.</param>
    public DeadlockException(DeadlockReport report)
        : base((report ?? throw new ArgumentNullException(nameof(report))).ToString())
    {
        Report = report;
    }

    /// <summary>Gets the deadlock found: every thread and lock in the cycle.</summary>
    public DeadlockReport Report { get; }
}
