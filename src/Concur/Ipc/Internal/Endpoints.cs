using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Concur.Ipc.Internal;

/// <summary>Addresses a listener can bind and a client can connect to: a Unix socket path, or a TCP end point.</summary>
internal static class Endpoints
{
    /// <summary>The prefix of the Unix socket files Concur creates in the temporary folder; each listener removes its own on Dispose.</summary>
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

    /// <summary>Describes <paramref name="address"/> for messages: the path, or host and port.</summary>
    public static string Describe(EndPoint? address) => address switch
    {
        UnixDomainSocketEndPoint unix => unix.ToString(),
        null => "an unnamed address",
        _ => address.ToString() ?? address.GetType().Name,
    };

    /// <summary>Gets a new path for a Unix socket in the temporary folder, named <c>concur-&lt;pid&gt;-&lt;random&gt;.sock</c>.</summary>
    /// <exception cref="InvalidOperationException">The temporary folder's path is too long for a Unix socket.</exception>
    public static string NewTemporaryUnixPath()
    {
        string name = string.Create(CultureInfo.InvariantCulture,
            $"{TemporaryPrefix}{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.sock");
        string path = Path.Combine(Path.GetTempPath(), name);
        if (Encoding.UTF8.GetByteCount(path) > MaxUnixPathBytes)
        {
            throw new InvalidOperationException(
                $"The temporary folder's path is too long for a Unix socket ({path} is over {MaxUnixPathBytes} bytes): pass an address with a shorter path.");
        }
        return path;
    }
}
