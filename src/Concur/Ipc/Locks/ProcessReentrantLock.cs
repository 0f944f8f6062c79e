using System.Diagnostics;
using System.Runtime.InteropServices;
using Concur.Ipc.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>
/// A lock between processes that its owning thread may acquire again (Python's <c>multiprocessing.RLock</c>, shaped
/// as <see cref="ReentrantLock"/>), and that a killed owner never blocks: the next acquirer takes it over, whatever
/// the dead owner's count, and <see cref="ProcessLockScope.PreviousOwnerDied"/> tells it so.
/// </summary>
/// <remarks>
/// <para>
/// The owner is one thread of one process; it may acquire the lock any number of times, and the lock is free once it
/// released it as many times (<see cref="RecursionCount"/>). Re-entry is a read of the shared words and a write of the
/// count, no compare-and-swap. Asynchronous acquisitions are each their own owner and are not reentrant, as with
/// <see cref="ReentrantLock"/>. Releasing from a thread that does not hold it throws
/// <see cref="SynchronizationLockException"/>.
/// </para>
/// <para>
/// Pass it to a <see cref="ChildProcess"/> or a pool task as a <see cref="ProcessLock"/> is passed; the count is not
/// passed with it (a hold does not travel). Ownership, cost and takeover are described on <see cref="ProcessOwnedLock"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var ledger = new ProcessReentrantLock();
/// void Post(int amount) { using (ledger.Acquire()) { Append(amount); } }
/// void Transfer(int amount) { using (ledger.Acquire()) { Post(-amount); Post(amount); } } // re-enters
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class ProcessReentrantLock : ProcessOwnedLock, IPassedByHandle<ProcessReentrantLock>
{
    /// <summary>Creates a free lock in new shared memory.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public ProcessReentrantLock()
        : this(SyncMemory.Create(SyncKinds.ReentrantLock, nameof(ProcessReentrantLock)))
    {
    }

    /// <summary>Opens the reentrant lock named <paramref name="name"/>, or creates it free, for processes that share nothing but the name.</summary>
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
    /// <exception cref="InvalidDataException">The name is taken by something that is not a <see cref="ProcessReentrantLock"/>.</exception>
    public static ProcessReentrantLock OpenOrCreate(string name) =>
        new(SyncMemory.OpenOrCreate(name, SyncKinds.ReentrantLock, nameof(ProcessReentrantLock)));

    private ProcessReentrantLock(SyncMemory memory)
        : base(memory, reentrant: true, nameof(ProcessReentrantLock))
    {
    }

    /// <summary>Gets how many times the calling thread holds the lock (0 when it does not hold it).</summary>
    public int RecursionCount
    {
        get
        {
            if (!IsHeldByCurrentThread)
            {
                return 0;
            }
            Memory.BeginUse();
            try
            {
                return Volatile.Read(ref Memory.Depth);
            }
            finally
            {
                Memory.EndUse();
            }
        }
    }

    /// <summary>Gets the lock's shared memory.</summary>
    SafeHandle IPassedByHandle<ProcessReentrantLock>.TransferHandle
    {
        get
        {
            Memory.ThrowIfDisposed();
            return Memory.Memory;
        }
    }

    /// <summary>Gets no state: the memory says all.</summary>
    byte[] IPassedByHandle<ProcessReentrantLock>.TransferState => [];

    /// <summary>Maps the received shared memory as a reentrant lock.</summary>
    static ProcessReentrantLock IPassedByHandle<ProcessReentrantLock>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state) =>
        new(SyncMemory.Attach(handle, SyncKinds.ReentrantLock, nameof(ProcessReentrantLock)));

    /// <summary>Rebuilds a reentrant lock over memory already attached (a condition's lock).</summary>
    internal static ProcessReentrantLock FromMemory(SyncMemory memory) => new(memory);
}
