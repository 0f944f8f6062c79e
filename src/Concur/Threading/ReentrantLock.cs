using System.Runtime.CompilerServices;

namespace Concur;

/// <summary>
/// A mutual-exclusion lock that its owner may acquire again: Python's <c>threading.RLock</c>.
/// </summary>
/// <remarks>
/// The owning thread may acquire it any number of times; it becomes free when released as many times. Re-entry
/// never waits, so it never takes part in a deadlock. Asynchronous acquisitions (<see cref="OwnedLock.AcquireAsync(CancellationToken)"/>)
/// are each their own owner and are not reentrant. See <see cref="OwnedLock"/> for ownership, fairness and
/// deadlock detection.
/// </remarks>
/// <example>
/// <code>
/// var accountLock = new ReentrantLock("account");
/// void Deposit(int amount) { using (accountLock.Acquire()) balance += amount; }
/// void DepositTwice(int amount) { using (accountLock.Acquire()) { Deposit(amount); Deposit(amount); } }
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ReentrantLock : OwnedLock
{
    /// <summary>Creates a free lock.</summary>
    /// <param name="name">A name for diagnostics and deadlock reports; by default one is generated from the creation site.</param>
    /// <param name="callerFile">Filled in by the compiler: the file that creates the lock.</param>
    /// <param name="callerLine">Filled in by the compiler: the line that creates the lock.</param>
    /// <param name="callerMember">Filled in by the compiler: the member that creates the lock.</param>
    public ReentrantLock(
        string? name = null,
        [CallerFilePath] string callerFile = "",
        [CallerLineNumber] int callerLine = 0,
        [CallerMemberName] string callerMember = "")
        : base(reentrant: true, name, callerFile, callerLine, callerMember)
    {
    }
}
