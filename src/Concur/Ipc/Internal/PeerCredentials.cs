using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;

namespace Concur.Ipc.Internal;

/// <summary>
/// The user of the process at the other end of an accepted Unix socket (Linux's <c>SO_PEERCRED</c>). A listener made
/// without an address listens at an abstract name, which file permissions do not guard (any process of the network
/// namespace can connect), where the socket file it replaced could be reached only by its user (and root); so such a
/// listener accepts only clients of the same user, or root, before any handshake.
/// </summary>
internal static partial class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17; // Linux on x86, x86-64, ARM and ARM64

    /// <summary>Throws <see cref="AuthenticationException"/> unless the peer of <paramref name="accepted"/> runs as this process's effective user, or as root.</summary>
    public static void RequireSameUser(Socket accepted, string listener)
    {
        Span<byte> ucred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        int length = accepted.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length < 12)
        {
            throw new AuthenticationException($"A client of the listener at {listener} was refused: its user could not be read (SO_PEERCRED gave {length} bytes).");
        }
        int pid = MemoryMarshal.Read<int>(ucred);
        uint uid = MemoryMarshal.Read<uint>(ucred[4..]);
        uint own = geteuid();
        if (uid != own && uid != 0)
        {
            throw new AuthenticationException(
                $"A client of the listener at {listener} was refused before the handshake: its process ({N(pid)}) runs as user {N(uid)}, " +
                $"and a listener made without an address (an abstract socket name, which file permissions do not guard) " +
                $"accepts only processes of its own user ({N(own)}) and root. To serve other users, listen at a socket file " +
                "whose permissions let them in, or on TCP, with a key. The listener stays open.");
        }
    }

    /// <summary>Gets this process's effective user id.</summary>
    public static uint EffectiveUserId => geteuid();

    /// <summary>
    /// Gets the effective user id of the process at the other end of <paramref name="socket"/>, as the kernel recorded
    /// it when the connection was made (for a client, the listener's), or <see langword="null"/> if it cannot be read.
    /// </summary>
    public static uint? UserOf(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        return socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) >= 12 ? MemoryMarshal.Read<uint>(ucred[4..]) : null;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
