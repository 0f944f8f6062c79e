using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Concur.Ipc.Internal;

/// <summary>
/// Addresses a listener can bind and a client can connect to: a Unix socket (a file's path, or on Linux a name in the
/// abstract namespace, which starts with a NUL byte and has no file), or a TCP end point.
/// </summary>
internal static class Endpoints
{
    /// <summary>
    /// The prefix of the names Concur makes for listeners with no address: <c>concur-&lt;pid&gt;-&lt;random&gt;</c>, an
    /// abstract socket name on Linux, a socket file in the temporary folder elsewhere (each listener removes its own on Dispose).
    /// </summary>
    public const string TemporaryPrefix = "concur-";

    /// <summary>The longest Unix socket path, in bytes (<c>sizeof(sun_path)</c> is 108 on Linux, with the final NUL).</summary>
    private const int MaxUnixPathBytes = 107;

    /// <summary>Creates an unconnected stream socket for <paramref name="address"/>.</summary>
    public static Socket CreateSocket(EndPoint address)
    {
        if (address is UnixDomainSocketEndPoint)
        {
            return new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }
        if (address is IPEndPoint or DnsEndPoint)
        {
            var family = address.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetwork : address.AddressFamily;
            return new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        }
        throw new ArgumentException(
            $"A connection address is a UnixDomainSocketEndPoint (a socket file's path) or an IPEndPoint, not a {address.GetType().Name}.",
            nameof(address));
    }

    /// <summary>Configures a socket that a listener accepted.</summary>
    public static void Configure(Socket accepted)
    {
        if (accepted.ProtocolType == ProtocolType.Tcp)
        {
            accepted.NoDelay = true; // Small messages go at once; CPython coalesces header and body for the same reason.
        }
    }

    /// <summary>
    /// Describes <paramref name="address"/> for messages: the path, the abstract name as .NET and <c>ss</c> print it
    /// (<c>@</c> standing for the leading NUL byte), or host and port.
    /// </summary>
    public static string Describe(EndPoint? address) => address switch
    {
        UnixDomainSocketEndPoint unix when IsAbstract(unix) => $"the abstract Unix socket {unix}",
        UnixDomainSocketEndPoint unix => unix.ToString(),
        null => "an unnamed address",
        _ => address.ToString() ?? address.GetType().Name,
    };

    /// <summary>
    /// Whether <paramref name="address"/> is a name in Linux's abstract socket namespace (its first byte is NUL): no file
    /// is made, and the kernel frees the name when the last socket bound to it closes, also when its process is killed.
    /// .NET prints such a name with <c>@</c> in place of the NUL, which a path can begin with too, so this looks at the bytes.
    /// </summary>
    public static bool IsAbstract(UnixDomainSocketEndPoint address)
    {
        SocketAddress bytes = address.Serialize();
        return bytes.Size > 2 && bytes[2] == 0; // sa_family (2 bytes), then sun_path
    }

    /// <summary>
    /// Gets the address of a listener made without one: on Linux a new abstract name, <c>\0concur-&lt;pid&gt;-&lt;random&gt;</c>
    /// (nothing in the file system, nothing left after a SIGKILL); elsewhere a new socket file in the temporary folder.
    /// </summary>
    /// <exception cref="InvalidOperationException">The temporary folder's path is too long for a Unix socket.</exception>
    public static UnixDomainSocketEndPoint NewDefaultAddress() => OperatingSystem.IsLinux()
        ? new UnixDomainSocketEndPoint("\0" + NewName())
        : new UnixDomainSocketEndPoint(NewTemporaryUnixPath());

    /// <summary>Gets a new path for a Unix socket in the temporary folder, named <c>concur-&lt;pid&gt;-&lt;random&gt;.sock</c>.</summary>
    /// <exception cref="InvalidOperationException">The temporary folder's path is too long for a Unix socket.</exception>
    public static string NewTemporaryUnixPath()
    {
        string path = Path.Combine(Path.GetTempPath(), NewName() + ".sock");
        if (Encoding.UTF8.GetByteCount(path) > MaxUnixPathBytes)
        {
            throw new InvalidOperationException(
                $"The temporary folder's path is too long for a Unix socket ({path} is over {MaxUnixPathBytes} bytes): pass an address with a shorter path.");
        }
        return path;
    }

    /// <summary>
    /// Says why <paramref name="address"/> is in use, for the message of a listener that could not bind it. A socket file
    /// that exists is never replaced (it may be another listener's); when no listening socket in <c>/proc/net/unix</c>
    /// has its path, the message says the file looks stale and how to remove it. Nothing is connected to find out: a
    /// probe would reach a live listener as a client that hangs up, and make its accept fail.
    /// </summary>
    public static string AddressInUseHint(EndPoint address)
    {
        if (address is not UnixDomainSocketEndPoint unix)
        {
            return " Another listener uses it.";
        }
        if (IsAbstract(unix))
        {
            return " Another socket is bound to this abstract name (the name is freed when the last socket bound to it closes, also when its process is killed).";
        }
        string path = unix.ToString();
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            return " Another listener uses it.";
        }
        bool? listened = IsListenedOn(path);
        return listened switch
        {
            true => " Another listener is listening on this socket file.",
            false => $" The file {path} is in the way and nothing listens on it (no listening socket in /proc/net/unix has " +
                "this path): if it is a socket file left by a listener whose process was killed, delete it (rm, or " +
                "File.Delete) and listen again. Concur never replaces a file that exists.",
            null => " A file is in the way: Concur never replaces a file that exists (a socket file left by a listener whose process was killed can be deleted).",
        };
    }

    /// <summary>
    /// Whether a listening Unix socket of this network namespace is bound to <paramref name="path"/> (as given, or as a
    /// full path), from <c>/proc/net/unix</c>; <see langword="null"/> where that file cannot be read.
    /// </summary>
    private static bool? IsListenedOn(string path)
    {
        const int Listening = 0x10000; // __SO_ACCEPTCON in the Flags column
        string full = Path.GetFullPath(path);
        try
        {
            foreach (string line in File.ReadLines("/proc/net/unix").Skip(1))
            {
                // Num RefCount Protocol Flags Type St Inode [Path]; the path may hold spaces.
                string[] columns = line.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length == 8 &&
                    int.TryParse(columns[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int flags) &&
                    (flags & Listening) != 0 &&
                    (columns[7] == path || columns[7] == full))
                {
                    return true;
                }
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A new name <c>concur-&lt;pid&gt;-&lt;12 hex digits&gt;</c>.</summary>
    private static string NewName() => string.Create(CultureInfo.InvariantCulture,
        $"{TemporaryPrefix}{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}");
}
