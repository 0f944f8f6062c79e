using System.Runtime.InteropServices;
using Concur.Ipc.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>Passing a lock to another process: a child, a pool task, or through a connection.</summary>
/// <remarks>
/// Captured by a <see cref="ChildProcess"/> lambda or a pool task, passed as an argument, held in a field of a
/// <see cref="ChildProcess"/> subclass or sent through a <see cref="Connection"/>, the lock arrives in the other
/// process as a view of the same lock (its shared memory's descriptor travels, as a queue's does). Keep it open here
/// until the receiver has it. A hold does not travel: the receiver gets the lock, not this process's hold of it.
/// </remarks>
public sealed partial class ProcessLock : IPassedByHandle<ProcessLock>
{
    /// <summary>Gets the lock's shared memory.</summary>
    SafeHandle IPassedByHandle<ProcessLock>.TransferHandle
    {
        get
        {
            Memory.ThrowIfDisposed();
            return Memory.Memory;
        }
    }

    /// <summary>Gets no state: the memory says all.</summary>
    byte[] IPassedByHandle<ProcessLock>.TransferState => [];

    /// <summary>Maps the received shared memory as a lock.</summary>
    static ProcessLock IPassedByHandle<ProcessLock>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state) =>
        new(SyncMemory.Attach(handle, SyncKinds.Lock, nameof(ProcessLock)));

    /// <summary>Attaches to a lock from a descriptor of its memory (tests open one through <c>/proc/&lt;pid&gt;/fd</c>).</summary>
    internal static ProcessLock Attach(SafeFileHandle handle) => new(SyncMemory.Attach(handle, SyncKinds.Lock, nameof(ProcessLock)));

    /// <summary>Rebuilds a lock over memory already attached (a condition's lock).</summary>
    internal static ProcessLock FromMemory(SyncMemory memory) => new(memory);
}
