using System.Net;
using System.Net.Sockets;
using Concur.Ipc.Internal;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// A manager's address as a string, the form in which it travels inside a proxy (an <see cref="EndPoint"/> is not
/// plain data): <c>unix:</c> and the socket's path (an abstract name keeps its leading NUL), or <c>tcp:</c> and
/// host and port.
/// </summary>
internal static class ManagerAddress
{
    private const string UnixPrefix = "unix:";
    private const string TcpPrefix = "tcp:";

    /// <summary>Encodes <paramref name="address"/>.</summary>
    /// <exception cref="ArgumentException">It is neither a Unix socket nor an IP end point.</exception>
    public static string Encode(EndPoint address) => address switch
    {
        UnixDomainSocketEndPoint unix when Endpoints.IsAbstract(unix) => UnixPrefix + "\0" + unix.ToString()[1..],
        UnixDomainSocketEndPoint unix => UnixPrefix + unix,
        IPEndPoint ip => TcpPrefix + ip,
        _ => throw new ArgumentException(
            $"A manager's address is a UnixDomainSocketEndPoint or an IPEndPoint, not a {address.GetType().Name}.", nameof(address)),
    };

    /// <summary>Decodes an address made by <see cref="Encode"/>.</summary>
    /// <exception cref="InvalidDataException">It is not such an address.</exception>
    public static EndPoint Decode(string encoded)
    {
        if (encoded.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            return new UnixDomainSocketEndPoint(encoded[UnixPrefix.Length..]);
        }
        if (encoded.StartsWith(TcpPrefix, StringComparison.Ordinal) && IPEndPoint.TryParse(encoded[TcpPrefix.Length..], out IPEndPoint? ip))
        {
            return ip;
        }
        throw new InvalidDataException($"'{encoded}' is not a manager address.");
    }

    /// <summary>Describes an encoded address for messages, as <see cref="Endpoints.Describe"/> does.</summary>
    public static string Describe(string encoded)
    {
        try
        {
            return Endpoints.Describe(Decode(encoded));
        }
        catch (InvalidDataException)
        {
            return encoded;
        }
    }
}
