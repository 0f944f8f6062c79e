using System.Globalization;
using System.Net;

namespace Concur.Cluster.Internal;

/// <summary>
/// A node's settings, as passed on its command line (<c>--concur-node</c> for Concur.Cluster.dll, and the options of
/// <c>concur node</c>): membership, endpoints, workers, name.
/// </summary>
internal sealed class NodeArguments
{
    /// <summary>The first argument that makes Concur.Cluster.dll a node host.</summary>
    public const string NodeArgument = "--concur-node";

    /// <summary>Gets or sets the membership: <c>redis://connection-string</c>, or <c>dev://host:port</c> (development clustering around the primary node listening there).</summary>
    public string Cluster { get; set; } = "dev://127.0.0.1:11111";

    /// <summary>Gets or sets the address other nodes and clients reach this node at.</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>Gets or sets the silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Gets or sets the client gateway port.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Gets or sets the most worker processes one executor gets here; <see langword="null"/> for one per processor.</summary>
    public int? Workers { get; set; }

    /// <summary>Gets or sets the node's name.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the Orleans cluster id.</summary>
    public string ClusterId { get; set; } = "concur";

    /// <summary>Gets or sets the Orleans service id.</summary>
    public string ServiceId { get; set; } = "concur";

    /// <summary>Gets or sets the process whose exit ends this node (an embedded cluster's owner), or 0.</summary>
    public int ParentProcessId { get; set; }

    /// <summary>Gets the membership kind and target of <see cref="Cluster"/>.</summary>
    /// <exception cref="ArgumentException">It is neither <c>redis://...</c> nor <c>dev://host:port</c>.</exception>
    public (bool Redis, string Target) Membership()
    {
        if (Cluster.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            return (true, Cluster["redis://".Length..]);
        }
        if (Cluster.StartsWith("dev://", StringComparison.OrdinalIgnoreCase))
        {
            return (false, Cluster["dev://".Length..]);
        }
        throw new ArgumentException(
            $"The cluster '{Cluster}' is not a membership Concur knows: use redis://HOST:PORT (a Redis server holding the " +
            "membership table, for real clusters) or dev://HOST:PORT (development clustering: the node whose silo port is " +
            "HOST:PORT is the primary, and every node must reach it).", nameof(Cluster));
    }

    /// <summary>Gets the primary node's endpoint for development clustering.</summary>
    /// <exception cref="ArgumentException">The target is not HOST:PORT.</exception>
    public static IPEndPoint ParseEndpoint(string target)
    {
        int colon = target.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(target.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            throw new ArgumentException($"'{target}' is not HOST:PORT.", nameof(target));
        }
        string host = target[..colon];
        IPAddress address = IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return new IPEndPoint(address, port);
    }

    /// <summary>Writes the arguments after <see cref="NodeArgument"/>.</summary>
    public IEnumerable<string> ToArguments()
    {
        yield return "--cluster";
        yield return Cluster;
        yield return "--address";
        yield return Address.ToString();
        yield return "--silo-port";
        yield return SiloPort.ToString(CultureInfo.InvariantCulture);
        yield return "--gateway-port";
        yield return GatewayPort.ToString(CultureInfo.InvariantCulture);
        if (Workers is int w)
        {
            yield return "--workers";
            yield return w.ToString(CultureInfo.InvariantCulture);
        }
        if (Name is not null)
        {
            yield return "--name";
            yield return Name;
        }
        yield return "--cluster-id";
        yield return ClusterId;
        yield return "--service-id";
        yield return ServiceId;
        yield return "--parent";
        yield return ParentProcessId.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Parses the arguments after <see cref="NodeArgument"/>.</summary>
    /// <exception cref="ArgumentException">An unknown option, a missing value, or a value of the wrong kind.</exception>
    public static NodeArguments Parse(IReadOnlyList<string> args)
    {
        var result = new NodeArguments();
        for (int i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"The option {args[i]} needs a value.");
            }
            string value = args[i + 1];
            switch (args[i])
            {
                case "--cluster": result.Cluster = value; break;
                case "--address": result.Address = IPAddress.Parse(value); break;
                case "--silo-port": result.SiloPort = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--gateway-port": result.GatewayPort = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--workers": result.Workers = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--name": result.Name = value; break;
                case "--cluster-id": result.ClusterId = value; break;
                case "--service-id": result.ServiceId = value; break;
                case "--parent": result.ParentProcessId = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown node option {args[i]}.");
            }
        }
        return result;
    }
}
