using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Concur.Cluster.Internal;

/// <summary>Places a node grain on the silo its key names (its silo address), and nowhere else.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("Concur.NodePlacement")]
internal sealed class NodePlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static readonly NodePlacement Instance = new();
}

/// <summary>Marks a grain class as placed by <see cref="NodePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class NodePlacementAttribute : PlacementAttribute
{
    /// <summary>Initializes a new instance of the <see cref="NodePlacementAttribute"/> class.</summary>
    public NodePlacementAttribute()
        : base(NodePlacement.Instance)
    {
    }
}

/// <summary>The director for <see cref="NodePlacement"/>.</summary>
internal sealed class NodePlacementDirector : IPlacementDirector
{
    /// <inheritdoc/>
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString()!;
        SiloAddress wanted = SiloAddress.FromParsableString(key);
        foreach (SiloAddress silo in context.GetCompatibleSilos(target))
        {
            if (silo.Equals(wanted))
            {
                return Task.FromResult(silo);
            }
        }
        throw new SiloUnavailableException($"Concur node {key} is not an active member of the cluster.");
    }
}
