using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Concur.Cluster.Internal;

/// <summary>Runs a node: an Orleans silo with <see cref="ConcurNodeHosting.UseConcurNode"/>, until it is stopped (SIGTERM, Ctrl+C) or its parent exits.</summary>
internal static class NodeHost
{
    /// <summary>The line a node writes on standard output once it has joined the cluster.</summary>
    public const string ReadyLine = "concur-node ready";

    /// <summary>Runs the node; returns its exit code.</summary>
    public static async Task<int> RunAsync(NodeArguments arguments, TextWriter output)
    {
        (bool redis, string target) = arguments.Membership();
        string name = arguments.Name ?? $"{Environment.MachineName}:{arguments.SiloPort}";
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = arguments.ClusterId;
                o.ServiceId = arguments.ServiceId;
            });
            silo.ConfigureEndpoints(arguments.Address, arguments.SiloPort, arguments.GatewayPort, listenOnAnyHostAddress: true);
            if (redis)
            {
                silo.UseRedisClustering(target);
            }
            else
            {
                silo.UseDevelopmentClustering(NodeArguments.ParseEndpoint(target));
            }
            silo.UseConcurNode(arguments.Workers, name);
        });
        using IHost host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        await output.WriteLineAsync($"{ReadyLine} {name}").ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
        using var parentGone = new CancellationTokenSource();
        if (arguments.ParentProcessId > 0)
        {
            _ = WatchParent(arguments.ParentProcessId, parentGone);
        }
        var lifetime = (IHostApplicationLifetime)host.Services.GetService(typeof(IHostApplicationLifetime))!;
        using (parentGone.Token.Register(lifetime.StopApplication))
        {
            await host.WaitForShutdownAsync().ConfigureAwait(false);
        }
        return 0;
    }

    private static async Task WatchParent(int pid, CancellationTokenSource gone)
    {
        try
        {
            using Process parent = Process.GetProcessById(pid);
            await parent.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        await gone.CancelAsync().ConfigureAwait(false);
    }

}
