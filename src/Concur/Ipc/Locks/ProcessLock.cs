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

    /// <summary>Opens the lock named <paramref name="name"/>, or creates it free, for processes that share nothing but the name (Python's named semaphores).</summary>
    /// <param name="name">The name: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, at most 200 characters.</param>
    /// <remarks>
    /// The name is <c>/dev/shm/&lt;name&gt;</c>, shared by every process of the same user that opens it. Each process
    /// that opens it counts among its users until it disposes of it, and the last one removes the name, so nothing is
    /// left after normal exits. When every user was killed, the name stays until a process opens it again (which
    /// finds it as it was, a dead holder's lock taken over as usual) and disposes of it. A named object passed to a
    /// child travels as its memory, as an anonymous one does; the child is not one of the name's users.
    /// </remarks>
    /// <returns>This process's view of the lock.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name.</exception>
    /// <exception cref="InvalidDataException">The name is taken by something that is not a <see cref="ProcessLock"/>.</exception>
    public static ProcessLock OpenOrCreate(string name) => new(SyncMemory.OpenOrCreate(name, SyncKinds.Lock, nameof(ProcessLock)));

    private ProcessLock(SyncMemory memory)
        : base(memory, reentrant: false, nameof(ProcessLock))
    {
    }
}
