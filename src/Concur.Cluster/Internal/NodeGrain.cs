using Orleans.Concurrency;

namespace Concur.Cluster.Internal;

/// <summary>The node grain: hands each call to the node's <see cref="NodeService"/>; calls interleave (they only await the local pool).</summary>
[NodePlacement]
[Reentrant]
internal sealed class NodeGrain : Grain, INodeGrain
{
    private readonly NodeService _node;

    /// <summary>Creates the grain on its node.</summary>
    public NodeGrain(NodeService node) => _node = node;

    /// <inheritdoc/>
    public Task<NodeInfo> Join(SessionSpec spec) => Task.FromResult(_node.Join(spec));

    /// <inheritdoc/>
    public Task<WorkAnswer> Run(WorkRequest request) => _node.Run(request);

    /// <inheritdoc/>
    public Task Cancel(Guid session, long taskId)
    {
        _node.Cancel(session, taskId);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> Ping(Guid session) => Task.FromResult(_node.Ping(session));

    /// <inheritdoc/>
    public Task Leave(Guid session)
    {
        _node.Leave(session);
        return Task.CompletedTask;
    }
}
