using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Concur.Processes.Internal;

namespace Concur.Cluster.Internal;

/// <summary>
/// An embedded cluster: node processes on this machine (Concur.Cluster.dll run with this application's dependencies),
/// joined by development clustering around the first one, on loopback ports chosen free. The nodes exit with this
/// process however it ends (each watches its parent).
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    /// <summary>The longest a node may take to start and join.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly List<LocalNode> _nodes = [];
    private readonly Lock _gate = new();
    private readonly int? _workers;
    private int? _primaryPort;

    private readonly string? _redis;

    private LocalCluster(string clusterId, int? workers, string? redis)
    {
        ClusterId = clusterId;
        _workers = workers;
        _redis = redis;
    }

    /// <summary>Gets the cluster's id (unique per embedded cluster, so two never mix).</summary>
    public string ClusterId { get; }

    /// <summary>Gets the nodes started so far.</summary>
    public IReadOnlyList<LocalNode> Nodes
    {
        get
        {
            lock (_gate)
            {
                return [.. _nodes];
            }
        }
    }

    /// <summary>Gets the primary node's silo endpoint.</summary>
    public IPEndPoint Primary => new(IPAddress.Loopback, _primaryPort ?? 0);

    /// <summary>Starts <paramref name="nodes"/> node processes and waits until each has joined.</summary>
    /// <param name="nodes">How many nodes.</param>
    /// <param name="workersPerNode">The most workers a node gives one executor; <see langword="null"/> for one per processor.</param>
    /// <param name="redis">A Redis connection string to keep the membership in (tests of the production path); <see langword="null"/> for development clustering.</param>
    /// <exception cref="InvalidOperationException">A node did not start (its output is in the message).</exception>
    public static async Task<LocalCluster> StartAsync(int nodes, int? workersPerNode, string? redis = null)
    {
        var cluster = new LocalCluster($"concur-local-{Guid.NewGuid():N}", workersPerNode, redis);
        try
        {
            // The primary first: a node that starts before it waits for it, and that waiting costs more than the order.
            await cluster.AddNodeAsync().ConfigureAwait(false);
            await Task.WhenAll(Enumerable.Range(1, nodes - 1).Select(_ => cluster.AddNodeAsync())).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return cluster;
    }

    /// <summary>Starts one more node and waits until it has joined.</summary>
    public async Task<LocalNode> AddNodeAsync()
    {
        int siloPort = FreePort();
        int gatewayPort = FreePort();
        int primaryPort;
        lock (_gate)
        {
            _primaryPort ??= siloPort;
            primaryPort = _primaryPort.Value;
        }
        var arguments = new NodeArguments
        {
            Cluster = _redis is null ? $"dev://127.0.0.1:{primaryPort}" : $"redis://{_redis}",
            SiloPort = siloPort,
            GatewayPort = gatewayPort,
            Workers = _workers,
            Name = $"local-node-{siloPort}",
            ClusterId = ClusterId,
            ServiceId = ClusterId,
            ParentProcessId = Environment.ProcessId,
        };
        (string fileName, IReadOnlyList<string> prefix) = HostLaunch.For(typeof(NodeProgram).Assembly.Location);
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in prefix.Append(NodeArguments.NodeArgument).Concat(arguments.ToArguments()))
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var node = new LocalNode(process, arguments.Name, siloPort, gatewayPort);
        lock (_gate)
        {
            _nodes.Add(node);
        }
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            while (true)
            {
                string? line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
                if (line is null)
                {
                    await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                    string text;
                    lock (errors)
                    {
                        text = errors.ToString();
                    }
                    throw new InvalidOperationException($"Cluster node {node.Name} exited with code {process.ExitCode} before it joined: {text}");
                }
                if (line.StartsWith(NodeHost.ReadyLine, StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Cluster node {node.Name} did not join within {StartTimeout.TotalSeconds:0} s.");
        }
        _ = DrainAsync(process);
        return node;
    }

    /// <summary>Kills every node process.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (LocalNode node in Nodes)
        {
            try
            {
                node.Process.Kill();
                await node.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
            node.Process.Dispose();
        }
    }

    private static async Task DrainAsync(Process process)
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is not null)
            {
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ObjectDisposedException)
        {
            // The node is gone.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A node process of a <see cref="LocalCluster"/>.</summary>
/// <param name="Process">The process.</param>
/// <param name="Name">Its name.</param>
/// <param name="SiloPort">Its silo port.</param>
/// <param name="GatewayPort">Its gateway port.</param>
internal sealed record LocalNode(Process Process, string Name, int SiloPort, int GatewayPort);
