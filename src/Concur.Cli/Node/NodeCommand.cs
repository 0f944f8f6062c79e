using System.CommandLine;
using System.Diagnostics;
using System.Net;
using Concur.Cluster.Internal;

namespace Concur.Cli.Node;

/// <summary>
/// <c>concur node --app path/to/App.dll --cluster redis://HOST:PORT</c>: runs a cluster node for an application on
/// this machine. The node is the application's own copy of Concur.Cluster.dll, started with the application's
/// runtimeconfig and deps files (as the process pool starts its workers), so it resolves the application's assemblies
/// and their dependencies; the command stays in the foreground until the node stops (Ctrl+C).
/// </summary>
internal static class NodeCommand
{
    /// <summary>Creates the <c>node</c> command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var app = new Option<FileInfo>("--app")
        {
            Description = "The application's built assembly (App.dll), with its App.runtimeconfig.json and App.deps.json beside it; the application references Concur.Cluster.",
            Required = true,
        };
        var cluster = new Option<string>("--cluster")
        {
            Description = "The membership: redis://HOST:PORT (a Redis server holding the membership table; for real clusters), or dev://HOST:PORT (development clustering: the node whose silo port is HOST:PORT is the primary).",
            Required = true,
        };
        var address = new Option<string>("--address")
        {
            Description = "The IP address other nodes and clients reach this node at (this machine's address on the cluster's network).",
            DefaultValueFactory = _ => IPAddress.Loopback.ToString(),
        };
        var siloPort = new Option<int>("--port") { Description = "The node-to-node (silo) port.", DefaultValueFactory = _ => 11111 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "The port clients (executors) connect to.", DefaultValueFactory = _ => 30000 };
        var workers = new Option<int?>("--workers") { Description = "The most worker processes one executor gets on this node; the default is the processor count." };
        var name = new Option<string?>("--name") { Description = "The node's name in messages (the default is HOST:PORT)." };
        var clusterId = new Option<string>("--cluster-id") { Description = "The Orleans cluster id (the same on every node and executor).", DefaultValueFactory = _ => "concur" };
        var command = new Command("node", "Run a cluster node that executes ClusterExecutor work for an application, in local worker processes (see docs/cluster.md).")
        {
            app, cluster, address, siloPort, gatewayPort, workers, name, clusterId,
        };
        command.SetAction(parse =>
        {
            var arguments = new NodeArguments
            {
                Cluster = parse.GetValue(cluster)!,
                SiloPort = parse.GetValue(siloPort),
                GatewayPort = parse.GetValue(gatewayPort),
                Workers = parse.GetValue(workers),
                Name = parse.GetValue(name),
                ClusterId = parse.GetValue(clusterId)!,
                ServiceId = parse.GetValue(clusterId)!,
                ParentProcessId = Environment.ProcessId,
            };
            try
            {
                arguments.Address = IPAddress.Parse(parse.GetValue(address)!);
                arguments.Membership();
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                error.WriteLine(e.Message);
                return 2;
            }
            if (arguments.Workers is <= 0)
            {
                error.WriteLine("--workers must be at least 1.");
                return 2;
            }
            return Run(parse.GetValue(app)!, arguments, output, error);
        });
        return command;
    }

    /// <summary>Starts the node for <paramref name="app"/> and waits for it to exit.</summary>
    internal static int Run(FileInfo app, NodeArguments arguments, TextWriter output, TextWriter error)
    {
        if (Launch(app, arguments, out string? problem) is not { } start)
        {
            error.WriteLine(problem);
            return 2;
        }
        using Process node = Process.Start(start)!;
        node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.WriteLine(e.Data);
            }
        };
        node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                error.WriteLine(e.Data);
            }
        };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        node.WaitForExit();
        return node.ExitCode;
    }

    /// <summary>Builds the node's command line: the app's Concur.Cluster.dll under <c>dotnet exec</c> with the app's runtimeconfig and deps.</summary>
    internal static ProcessStartInfo? Launch(FileInfo app, NodeArguments arguments, out string? problem)
    {
        problem = null;
        string dir = app.DirectoryName ?? ".";
        string stem = Path.GetFileNameWithoutExtension(app.Name);
        string runtimeConfig = Path.Combine(dir, stem + ".runtimeconfig.json");
        string deps = Path.Combine(dir, stem + ".deps.json");
        string host = Path.Combine(dir, "Concur.Cluster.dll");
        if (!app.Exists)
        {
            problem = $"--app: {app.FullName} does not exist. Build the application first (dotnet build), and pass its .dll.";
        }
        else if (!File.Exists(runtimeConfig))
        {
            problem = $"--app: {runtimeConfig} is missing; a node runs with the application's runtime configuration. Pass the .dll of a built application (not a library), framework-dependent.";
        }
        else if (!File.Exists(host))
        {
            problem = $"--app: {host} is missing; the application must reference the Concur.Cluster package (dotnet add package Concur.Cluster) so that its nodes can run its code.";
        }
        if (problem is not null)
        {
            return null;
        }
        string dotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add("--runtimeconfig");
        start.ArgumentList.Add(runtimeConfig);
        if (File.Exists(deps))
        {
            start.ArgumentList.Add("--depsfile");
            start.ArgumentList.Add(deps);
        }
        start.ArgumentList.Add(host);
        start.ArgumentList.Add(NodeArguments.NodeArgument);
        foreach (string a in arguments.ToArguments())
        {
            start.ArgumentList.Add(a);
        }
        return start;
    }
}
