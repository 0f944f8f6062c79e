using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Concur.Ipc.Internal;

/// <summary>
/// Creates two connected stream sockets, the transport of every pipe: <c>socketpair(AF_UNIX, SOCK_STREAM)</c> where
/// the system has it, as CPython's <c>Pipe()</c> does, else two loopback TCP sockets.
/// </summary>
/// <remarks>
/// Both descriptors are close-on-exec from the start (<c>SOCK_CLOEXEC</c> on Linux): a child started by any thread
/// of this process (a pool worker, <c>Process.Start</c>) must not inherit an end, or the other end would never see end
/// of file when this process closes its copy. .NET's own sockets and pipes follow the same rule.
/// </remarks>
internal static partial class SocketPair
{
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloexecLinux = 0x80000;
    private const int FSetFd = 2;
    private const int FdCloexec = 1;

    /// <summary>Creates a connected pair.</summary>
    /// <exception cref="IOException">The system refused (for example, too many open files).</exception>
    public static (Socket First, Socket Second) Create()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return CreateUnix();
        }
        return CreateLoopback();
    }

    private static unsafe (Socket First, Socket Second) CreateUnix()
    {
        int* fds = stackalloc int[2];
        bool linux = OperatingSystem.IsLinux();
        if (socketpair(AfUnix, SockStream | (linux ? SockCloexecLinux : 0), 0, fds) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Could not create a socket pair for a pipe: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }
        if (!linux)
        {
            // Not atomic: a child started by another thread between the two calls could inherit the pair.
            _ = fcntl(fds[0], FSetFd, FdCloexec);
            _ = fcntl(fds[1], FSetFd, FdCloexec);
        }
        var first = new SafeSocketHandle(fds[0], ownsHandle: true);
        var second = new SafeSocketHandle(fds[1], ownsHandle: true);
        try
        {
            return (new Socket(first), new Socket(second));
        }
        catch
        {
            first.Dispose();
            second.Dispose();
            throw;
        }
    }

    private static (Socket First, Socket Second) CreateLoopback()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            first.Connect(listener.LocalEndPoint!);
            Socket second = listener.Accept();
            second.NoDelay = true;
            return (first, second);
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int socketpair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);
}
