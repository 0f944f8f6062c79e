using System.Runtime.InteropServices;
using Concur.Ipc.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur.Tests.Ipc;

/// <summary>
/// A test type passed by handle whose subclass inherits the passing (as a joinable queue inherits a queue's): it wraps
/// a connection end and sends a kind byte, so <see cref="FromTransfer"/> rebuilds the right class.
/// </summary>
internal class PassedEnd : IPassedByHandle<PassedEnd>, IDisposable
{
    public PassedEnd(Connection end) => End = end;

    /// <summary>Gets the wrapped end.</summary>
    public Connection End { get; }

    SafeHandle IPassedByHandle<PassedEnd>.TransferHandle => HandleOf(End);

    byte[] IPassedByHandle<PassedEnd>.TransferState => [this is Loud ? (byte)1 : (byte)0, .. StateOf(End)];

    static PassedEnd IPassedByHandle<PassedEnd>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state)
    {
        Connection end = Rebuild<Connection>(handle, state[1..]);
        return state[0] == 1 ? new Loud(end) : new PassedEnd(end);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        HandleSharer.Revoke(this);
        End.Dispose();
    }

    private static SafeHandle HandleOf<T>(T value)
        where T : class, IPassedByHandle<T> => value.TransferHandle;

    private static byte[] StateOf<T>(T value)
        where T : class, IPassedByHandle<T> => value.TransferState;

    private static T Rebuild<T>(SafeFileHandle handle, ReadOnlySpan<byte> state)
        where T : class, IPassedByHandle<T> => T.FromTransfer(handle, state);

    /// <summary>The subclass, which declares nothing about passing.</summary>
    internal sealed class Loud : PassedEnd
    {
        public Loud(Connection end)
            : base(end)
        {
        }
    }
}
