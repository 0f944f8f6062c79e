using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Concur.Cluster.Internal;

/// <summary>Connects an executor's Orleans client: to an embedded cluster it starts, or to the nodes a Redis membership table lists.</summary>
internal static class ClusterClients
{
    /// <summary>Starts the embedded cluster (or finds the Redis one) and connects.</summary>
    public static async Task<ClusterConnection> ConnectAsync(ClusterExecutorOptions options)
    {
        if (options.Redis is string redis)
        {
            return await ConnectAsync(c => c.UseRedisClustering(redis), options.ClusterId, options.ServiceId, null).ConfigureAwait(false);
        }
        int processors = Environment.ProcessorCount;
        int? workers = options.WorkersPerLocalNode ?? Math.Max(1, processors / options.LocalNodes);
        LocalCluster cluster = await LocalCluster.StartAsync(options.LocalNodes, workers).ConfigureAwait(false);
        IPEndPoint[] gateways = [.. cluster.Nodes.Select(n => new IPEndPoint(IPAddress.Loopback, n.GatewayPort))];
        try
        {
            return await ConnectAsync(c => c.UseStaticClustering(gateways), cluster.ClusterId, cluster.ClusterId, cluster).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static async Task<ClusterConnection> ConnectAsync(Action<IClientBuilder> clustering, string clusterId, string serviceId, LocalCluster? owned)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            clustering(client);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            // Tasks run as long as they need; the executor watches the nodes itself (ClusterEngine).
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromDays(1));
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        });
        IHost host = builder.Build();
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        IClusterClient client = host.Services.GetRequiredService<IClusterClient>();
        return new ClusterConnection(client, async () =>
        {
            try
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await host.StopAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped hard below.
            }
            host.Dispose();
            if (owned is not null)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }
        }, owned);
    }
}
