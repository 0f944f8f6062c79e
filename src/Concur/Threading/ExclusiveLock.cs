using System.Runtime.CompilerServices;

namespace Concur;

/// <summary>
/// A mutual-exclusion lock that is not reentrant: Python's <c>threading.Lock</c>, owned by the thread that
/// acquired it.
/// </summary>
/// <remarks>
/// <para>
/// A thread that acquires an <see cref="ExclusiveLock"/> it already holds would wait forever; Concur reports that
/// as a <see cref="DeadlockException"/> instead. Use <see cref="ReentrantLock"/> when the same thread must enter
/// twice. See <see cref="OwnedLock"/> for ownership, fairness and deadlock detection.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var balanceLock = new ExclusiveLock("balance");
/// using (balanceLock.Acquire())
/// {
///     balance += 1;
/// }
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ExclusiveLock : OwnedLock
{
    /// <summary>Creates a free lock.</summary>
    /// <param name="name">A name for diagnostics and deadlock reports; by default one is generated from the creation site.</param>
    /// <param name="callerFile">Filled in by the compiler: the file that creates the lock.</param>
    /// <param name="callerLine">Filled in by the compiler: the line that creates the lock.</param>
    /// <param name="callerMember">Filled in by the compiler: the member that creates the lock.</param>
    public ExclusiveLock(
        string? name = null,
        [CallerFilePath] string callerFile = "",
        [CallerLineNumber] int callerLine = 0,
        [CallerMemberName] string callerMember = "")
        : base(reentrant: false, name, callerFile, callerLine, callerMember)
    {
    }
}
