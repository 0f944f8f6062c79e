using System.Diagnostics;
using Concur.Ipc.Internal;

namespace Concur;

/// <summary>
/// A mutual-exclusion lock between processes that a killed owner never blocks (Python's <c>multiprocessing.Lock</c>,
/// owned like <see cref="ExclusiveLock"/>): when the process that holds it dies, SIGKILL included, the next waiter
/// gets it within tens of milliseconds, and <see cref="ProcessLockScope.PreviousOwnerDied"/> tells it so, so that it
/// can repair what the lock protects.
/// </summary>
/// <remarks>
/// <para>
/// Pass the lock to a <see cref="ChildProcess"/> (captured by its lambda, as its argument or as a field of a
/// subclass) or to a pool task, and both processes use the same lock. It lives in anonymous shared memory while any
/// process has it open; <see cref="ProcessOwnedLock.Dispose"/> closes this process's view only. Nothing is named in
/// the file system, so nothing is left behind, whatever happens to the processes.
/// </para>
/// <para>
/// The lock is not reentrant: a thread that acquires it again while holding it gets a
/// <see cref="LockRecursionException"/> instead of waiting forever; use <see cref="ProcessReentrantLock"/> for that.
/// Ownership, cost and takeover are described on <see cref="ProcessOwnedLock"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var balanceLock = new ProcessLock();
/// var child = new ChildProcess(() =&gt;
/// {
///     using var held = balanceLock.Acquire();
///     if (held.PreviousOwnerDied)
///     {
///         RepairBalance();
///     }
///     UpdateBalance();
/// });
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class ProcessLock : ProcessOwnedLock
{
    /// <summary>Creates a free lock in new shared memory.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public ProcessLock()
        : this(SyncMemory.Create(SyncKinds.Lock, nameof(ProcessLock)))
    {
    }

    private ProcessLock(SyncMemory memory)
        : base(memory, reentrant: false, nameof(ProcessLock))
    {
    }
}
