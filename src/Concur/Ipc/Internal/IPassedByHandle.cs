using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concur.Ipc.Internal;

/// <summary>
/// The contract of a type whose values travel to another process as the operating-system object they stand for (a
/// socket, a memfd), not as data: a connection end, a queue. <see cref="Serialization.PassedByHandleFormatter{T}"/>
/// serializes every value of such a type, wherever it is declared (an argument, a captured variable, a field of a
/// <see cref="ChildProcess"/> subclass or of a record, an element of an array, a message sent through a
/// <see cref="Connection"/>).
/// </summary>
/// <remarks>
/// <para>
/// <b>What travels.</b> Never the descriptor's number, never a path: the sender registers the object with its
/// process's <see cref="HandleSharer"/> (once per object, however often it is sent) and writes the sharer's
/// abstract socket name, its pid, a random 16-byte ticket, and <see cref="TransferState"/>. The receiver connects to
/// that name, presents the ticket, receives a new descriptor for the same open file (<c>SCM_RIGHTS</c>), and
/// rebuilds the object with <see cref="FromTransfer"/>. Python's <c>multiprocessing.resource_sharer</c> does the same
/// over a socket file.
/// </para>
/// <para>
/// <b>Lifetime.</b> The registration lasts while the object is alive and open in the sender: the implementing type
/// calls <see cref="HandleSharer.Revoke"/> when it is disposed, and a receiver that comes later gets an
/// <see cref="IOException"/> that says so. Each process then owns its own descriptor and closes it with its own
/// object: the open file (a socket's end of file, a memfd's memory) lives until every process has closed its copy.
/// </para>
/// <para>
/// <b>Implementing it.</b> The type is a class. A class derived from it travels through the base's formatter
/// (<see cref="Serialization.PassedByHandleSubtypeFormatter{T, TBase}"/>), so the base's <see cref="FromTransfer"/>
/// must rebuild the right subclass: put the kind in <see cref="TransferState"/>. <see cref="TransferHandle"/> is read in the sender, once
/// when the object is first sent (it may prepare the object for sharing then, and should throw
/// <see cref="ObjectDisposedException"/> when the object is closed) and again each time a receiver comes for it.
/// The round-trip check that <c>Submit</c> and <c>Connection.Send</c> run on the first value of each declared type
/// treats these values by identity: it neither registers them nor takes a handle.
/// </para>
/// </remarks>
/// <typeparam name="TSelf">The implementing type.</typeparam>
internal interface IPassedByHandle<TSelf>
    where TSelf : class, IPassedByHandle<TSelf>
{
    /// <summary>
    /// Gets the handle another process needs (a socket, a memfd). The object keeps owning it: the sharer sends a new
    /// descriptor for the same open file and never closes this one.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The object has been closed.</exception>
    SafeHandle TransferHandle { get; }

    /// <summary>
    /// Gets the few bytes of state that go with the handle (for example, which directions a connection end has and its
    /// size limit). Read when the object is sent; at most <see cref="HandleSharer.MaxStateLength"/> bytes.
    /// </summary>
    byte[] TransferState { get; }

    /// <summary>
    /// Rebuilds the object in the receiving process from the descriptor received and the state that came with it.
    /// </summary>
    /// <param name="handle">
    /// The received descriptor, close-on-exec, as a <see cref="SafeFileHandle"/> (whatever kind of file it is). The
    /// callee owns it from the call on: it may keep it, or move the descriptor into another safe handle and call
    /// <see cref="SafeHandle.SetHandleAsInvalid"/> on this one. If the call throws, the caller disposes
    /// <paramref name="handle"/> (a no-op once it was made invalid), so nothing leaks either way.
    /// </param>
    /// <param name="state">The bytes <see cref="TransferState"/> gave in the sender.</param>
    /// <returns>The object, open, over its own descriptor.</returns>
    /// <exception cref="InvalidDataException">The state or the descriptor is not what this type sends.</exception>
    static abstract TSelf FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state);
}
