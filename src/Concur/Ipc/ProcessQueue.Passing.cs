using System.Runtime.InteropServices;
using Concur.Ipc.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>Passing a queue to another process: a child, a pool task, or through a connection (issue 9, point 4).</summary>
/// <remarks>
/// A queue captured by a <see cref="ChildProcess"/> lambda or a pool task, passed as an argument, held in a field of
/// a <see cref="ChildProcess"/> subclass or sent through a <see cref="Connection"/> arrives in the other process as a
/// view of the same queue: what travels is a reference to this process's handle sharer and a ticket, with which the
/// receiver takes a descriptor of the queue's shared memory and maps it. Keep the queue open here until the receiver
/// has it. A <see cref="JoinableProcessQueue{T}"/> arrives as one, even where a <see cref="ProcessQueue{T}"/> was declared.
/// </remarks>
public partial class ProcessQueue<T> : IPassedByHandle<ProcessQueue<T>>
{
    /// <summary>Gets the queue's shared memory.</summary>
    SafeHandle IPassedByHandle<ProcessQueue<T>>.TransferHandle
    {
        get
        {
            _ring.ThrowIfDisposed();
            return _ring.Memory;
        }
    }

    /// <summary>Gets the queue's kind (one byte), so that a joinable queue arrives as one.</summary>
    byte[] IPassedByHandle<ProcessQueue<T>>.TransferState => [(byte)_ring.Kind];

    /// <summary>Maps the received shared memory as a queue of the kind it was created as.</summary>
    static ProcessQueue<T> IPassedByHandle<ProcessQueue<T>>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state)
    {
        if (state.Length != 1 || state[0] is not (QueueKinds.Plain or QueueKinds.Joinable))
        {
            throw new InvalidDataException("A ProcessQueue arrived with malformed state (its kind).");
        }
        QueueRing ring = AttachRing(handle, state[0]);
        return ring.Kind == QueueKinds.Joinable ? new JoinableProcessQueue<T>(ring) : new ProcessQueue<T>(ring);
    }

    /// <summary>Maps received shared memory as a queue and checks that it is of <paramref name="kind"/>.</summary>
    internal static QueueRing AttachRing(SafeFileHandle handle, int kind)
    {
        var owned = new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: true);
        handle.SetHandleAsInvalid(); // The descriptor is the mapping's now.
        QueueRing ring = QueueRing.Attach(owned);
        if (ring.Kind != kind)
        {
            ring.Dispose();
            throw new InvalidDataException($"A process queue arrived whose shared memory says it is of kind {ring.Kind}, not {kind}.");
        }
        return ring;
    }
}
