using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Concur.Cli.Node;
using Concur.Cluster.Internal;
using Concur.Tests.Support;

namespace Concur.Cluster.Tests;

/// <summary><c>concur node --app App.dll</c>: the node runs with the app's dependencies and executes the app's functions.</summary>
public sealed class NodeCommandTests
{
    [Fact]
    public async Task Node_StartedForAnApp_RunsTheAppsFunctions()
    {
        // This test assembly is the "app": it references Concur.Cluster, so Concur.Cluster.dll is beside it.
        var app = new FileInfo(typeof(NodeCommandTests).Assembly.Location);
        int siloPort = FreePort();
        int gatewayPort = FreePort();
        string id = $"cli-{Guid.NewGuid():N}";
        var arguments = new NodeArguments
        {
            Cluster = $"dev://127.0.0.1:{siloPort}",
            SiloPort = siloPort,
            GatewayPort = gatewayPort,
            Workers = 1,
            Name = "cli-node",
            ClusterId = id,
            ServiceId = id,
            ParentProcessId = Environment.ProcessId,
        };
        var start = NodeCommand.Launch(app, arguments, out string? problem);
        Assert.Null(problem);
        using var node = Process.Start(start!)!;
        try
        {
            string? line;
            using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
            {
                do
                {
                    line = await node.StandardOutput.ReadLineAsync(ready.Token);
                }
                while (line is not null && !line.StartsWith(NodeHost.ReadyLine, StringComparison.Ordinal));
            }
            Assert.Equal($"{NodeHost.ReadyLine} cli-node", line);

            await using var connection = await ClusterClients.ConnectAsync(
                c => c.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort)), id, id, null).WaitAsync(Bounded.Limit);
            using var executor = new ClusterExecutor(connection.Client, maxWorkers: 1);
            Assert.Equal(node.Id, await Bounded.Within(executor.Submit(ClusterWork.ParentProcessId)));
            Assert.Equal(["cli-node"], executor.NodeNames);
        }
        finally
        {
            node.Kill();
            await node.WaitForExitAsync().WaitAsync(Bounded.Limit);
        }
    }

    [Fact]
    public void Node_AppWithoutRuntimeConfig_IsRefusedSayingWhatIsMissing()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"concur-noapp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string dll = Path.Combine(dir, "App.dll");
            File.WriteAllText(dll, "");
            Assert.Null(NodeCommand.Launch(new FileInfo(dll), new NodeArguments(), out string? problem));
            Assert.Contains("App.runtimeconfig.json is missing", problem, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
