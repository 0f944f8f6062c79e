using System.Runtime.InteropServices;

namespace Concur.Ipc.Internal;

/// <summary>
/// Sends and receives one byte with one file descriptor attached (<c>SCM_RIGHTS</c>) over a connected Unix socket:
/// the kernel installs a new descriptor for the same open file in the receiving process, as <c>dup</c> would there.
/// Linux only; the layouts below are those of LP64 and ILP32 Linux (<c>size_t</c> is <see cref="nuint"/>).
/// </summary>
/// <remarks>
/// Both calls never block: the sender writes one byte into a fresh connection's empty buffer, and the receiver calls
/// only once the socket is readable (<see cref="HandleSharer"/> waits with a bound). A received descriptor is
/// close-on-exec from its first instant (<c>MSG_CMSG_CLOEXEC</c>), so a child started meanwhile by another thread
/// cannot inherit it.
/// </remarks>
internal static unsafe partial class UnixRights
{
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgCtrunc = 0x8;
    private const int MsgDontwait = 0x40;
    private const int MsgNosignal = 0x4000;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int Eintr = 4;

    /// <summary>Room for the header and up to four descriptors: a hostile sender's extra ones are received and closed, never leaked.</summary>
    private const int ControlSpace = 64;

    /// <summary>Sends <paramref name="status"/>, with <paramref name="descriptor"/> attached unless it is -1.</summary>
    /// <returns>Whether the byte was sent.</returns>
    public static bool Send(SafeHandle socket, byte status, int descriptor)
    {
        byte* control = stackalloc byte[ControlSpace];
        new Span<byte>(control, ControlSpace).Clear();
        var iov = new IoVec { Base = &status, Length = 1 };
        var message = new MsgHdr { Iov = &iov, IovLength = 1 };
        if (descriptor >= 0)
        {
            var header = (CmsgHdr*)control;
            header->Length = (nuint)(HeaderSize + sizeof(int));
            header->Level = SolSocket;
            header->Type = ScmRights;
            *(int*)(control + HeaderSize) = descriptor;
            message.Control = control;
            message.ControlLength = (nuint)Align(HeaderSize + sizeof(int));
        }
        bool added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            int fd = (int)socket.DangerousGetHandle();
            nint sent;
            do
            {
                sent = sendmsg(fd, &message, MsgDontwait | MsgNosignal);
            }
            while (sent < 0 && Marshal.GetLastPInvokeError() == Eintr);
            return sent == 1;
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Receives one byte and the descriptor attached to it, without waiting (call once the socket is readable).
    /// </summary>
    /// <param name="socket">The connected socket.</param>
    /// <param name="status">The byte received.</param>
    /// <param name="descriptor">The descriptor received (close-on-exec, owned by the caller), or -1 if none came.</param>
    /// <param name="errno">The error number when the call failed, else 0.</param>
    /// <returns>1 if a byte arrived, 0 at end of stream, -1 if nothing was there yet or the call failed (<paramref name="errno"/> says which).</returns>
    public static int Receive(SafeHandle socket, out byte status, out int descriptor, out int errno)
    {
        byte* control = stackalloc byte[ControlSpace];
        new Span<byte>(control, ControlSpace).Clear();
        byte data = 0;
        var iov = new IoVec { Base = &data, Length = 1 };
        var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSpace };
        status = 0;
        descriptor = -1;
        errno = 0;
        bool added = false;
        nint received;
        try
        {
            socket.DangerousAddRef(ref added);
            int fd = (int)socket.DangerousGetHandle();
            do
            {
                received = recvmsg(fd, &message, MsgDontwait | MsgCmsgCloexec);
            }
            while (received < 0 && (errno = Marshal.GetLastPInvokeError()) == Eintr);
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
        if (received < 0)
        {
            return -1;
        }
        // Take every descriptor that came (a peer may attach several, or attach some to a refusal): keep the first
        // of a well-formed answer, close the rest.
        for (byte* at = control; at + HeaderSize <= control + (int)message.ControlLength;)
        {
            var header = (CmsgHdr*)at;
            if (header->Length < (nuint)HeaderSize || at + (int)header->Length > control + ControlSpace)
            {
                break;
            }
            if (header->Level == SolSocket && header->Type == ScmRights)
            {
                int count = ((int)header->Length - HeaderSize) / sizeof(int);
                for (int i = 0; i < count; i++)
                {
                    int fd = ((int*)(at + HeaderSize))[i];
                    if (descriptor < 0)
                    {
                        descriptor = fd;
                    }
                    else
                    {
                        _ = close(fd);
                    }
                }
            }
            at += Align((int)header->Length);
        }
        if ((message.Flags & MsgCtrunc) != 0 && descriptor >= 0)
        {
            // More came than fits: the kernel closed the overflow; do not trust the rest either.
            _ = close(descriptor);
            descriptor = -1;
        }
        status = data;
        return received == 0 ? 0 : 1;
    }

    /// <summary>
    /// Duplicates <paramref name="handle"/>'s descriptor (close-on-exec), holding a reference on the handle only for
    /// the duration of the call, so the owner's handle is never in use while a peer is being served.
    /// </summary>
    /// <returns>The new descriptor, owned by the caller, or -1 if the system refused (out of descriptors).</returns>
    /// <exception cref="ObjectDisposedException">The handle has been closed.</exception>
    public static int Duplicate(SafeHandle handle)
    {
        const int FDupfdCloexec = 1030;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return fcntl((int)handle.DangerousGetHandle(), FDupfdCloexec, 0);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Closes a descriptor received and not handed on.</summary>
    public static void Close(int descriptor) => _ = close(descriptor);

    private static int HeaderSize => Align(sizeof(CmsgHdr));

    private static int Align(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendmsg(int socket, MsgHdr* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvmsg(int socket, MsgHdr* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);
}
