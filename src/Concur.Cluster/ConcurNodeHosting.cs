using Concur.Cluster.Internal;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime.Placement;

namespace Concur;

/// <summary>
/// The one-line hook for an application that hosts an Orleans silo itself and wants it to be a Concur node:
/// <c>siloBuilder.UseConcurNode()</c>. The node then runs what <see cref="ClusterExecutor"/>s send it in local
/// process pools of its own (one per executor), with the pool's hard timeouts, crash isolation and recycling.
/// </summary>
public static class ConcurNodeHosting
{
    /// <summary>Makes this silo a Concur node.</summary>
    /// <remarks>
    /// Also shortens Orleans' failure detection (probes time out after 2 s; 2 missed probes declare a silo dead,
    /// instead of 10 s and 3) so that work on a lost node fails or moves within seconds; executors watch their
    /// nodes themselves too. The silo's process must be able to load the application's assemblies (start it with the
    /// application's deps, as <c>concur node --app</c> does).
    /// </remarks>
    /// <param name="builder">The silo builder.</param>
    /// <param name="workers">
    /// The most worker processes one executor gets on this node, at least 1; <see langword="null"/> (the default)
    /// means <see cref="Environment.ProcessorCount"/>.
    /// </param>
    /// <param name="name">The node's name in messages (for example in <see cref="NodeLostException"/>); <see langword="null"/> means the host name and process id.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is 0 or negative.</exception>
    public static ISiloBuilder UseConcurNode(this ISiloBuilder builder, int? workers = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (workers is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, "workers must be at least 1; pass null for one per processor.");
        }
        string nodeName = name ?? $"{Environment.MachineName}/{Environment.ProcessId}";
        int count = workers ?? Environment.ProcessorCount;
        builder.Services.AddSingleton(_ => new NodeService(count, nodeName));
        builder.Services.AddPlacementDirector<NodePlacement, NodePlacementDirector>();
        builder.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = TimeSpan.FromSeconds(2);
            options.NumMissedProbesLimit = 2;
            options.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        });
        return builder;
    }
}
