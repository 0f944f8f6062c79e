using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Concur.Ipc.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>Passing an end to another process: a child, a pool task, or through another connection (issue 9, point 4).</summary>
/// <remarks>
/// An end captured by a <see cref="ChildProcess"/> lambda or a pool task, passed as an argument, held in a field of a
/// <see cref="ChildProcess"/> subclass or sent with <see cref="Send{T}"/> arrives in the other process as a working
/// end over the same socket, with the same directions and <see cref="MaxMessageSize"/>. What travels is a reference
/// to this process's handle sharer (an abstract socket name, never a path) and a random ticket; the receiver takes a
/// descriptor of its own with it. Keep the end open here until the receiver has it. Each process then closes its own
/// copy, and the other end sees end of file only when every copy is closed, as in Python.
/// </remarks>
public sealed partial class Connection : IPassedByHandle<Connection>
{
    private const byte Receives = 1;
    private const byte Sends = 2;

    /// <summary>Gets the socket, switched to the mode every copy of a shared socket must use (see <see cref="MessageSocket.PrepareForSharing"/>).</summary>
    SafeHandle IPassedByHandle<Connection>.TransferHandle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_engine.IsClosed, this);
            _engine.PrepareForSharing();
            return _engine.Socket.SafeHandle;
        }
    }

    /// <summary>Gets the directions (one byte) and the size limit (four bytes, little-endian).</summary>
    byte[] IPassedByHandle<Connection>.TransferState
    {
        get
        {
            byte[] state = new byte[5];
            state[0] = (byte)((CanReceive ? Receives : 0) | (CanSend ? Sends : 0));
            BinaryPrimitives.WriteInt32LittleEndian(state.AsSpan(1), MaxMessageSize);
            return state;
        }
    }

    /// <summary>Rebuilds an end over the received socket, with the directions and limit it had in the sender.</summary>
    static Connection IPassedByHandle<Connection>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state)
    {
        if (state.Length != 5 || (state[0] & (Receives | Sends)) == 0 || (state[0] & ~(Receives | Sends)) != 0 ||
            BinaryPrimitives.ReadInt32LittleEndian(state[1..]) <= 0)
        {
            throw new InvalidDataException("A Connection arrived with malformed state (its directions and size limit).");
        }
        bool canReceive = (state[0] & Receives) != 0;
        bool canSend = (state[0] & Sends) != 0;
        int maxMessageSize = BinaryPrimitives.ReadInt32LittleEndian(state[1..]);
        var socketHandle = new SafeSocketHandle(handle.DangerousGetHandle(), ownsHandle: true);
        handle.SetHandleAsInvalid(); // The descriptor is the socket handle's now.
        Socket socket;
        try
        {
            socket = new Socket(socketHandle);
        }
        catch (SocketException e)
        {
            socketHandle.Dispose();
            throw new InvalidDataException($"A Connection arrived with a descriptor that is not a socket ({e.SocketErrorCode}).", e);
        }
        catch
        {
            socketHandle.Dispose();
            throw;
        }
        if (socket.SocketType != SocketType.Stream)
        {
            socket.Dispose();
            throw new InvalidDataException($"A Connection arrived with a {socket.SocketType} socket; connections are stream sockets.");
        }
        var engine = new MessageSocket(socket, "The other end of the connection", maxMessageSize, canReceive, canSend);
        engine.PrepareForSharing();
        return new Connection(engine);
    }
}
