namespace Concur.Cluster.Internal;

/// <summary>
/// A node as an executor sees it: one grain per node (silo), whose key is the node's silo address and which the
/// <see cref="NodePlacementAttribute"/> places on that very silo, so the executor decides which node runs a call.
/// </summary>
[Alias("Concur.INodeGrain")]
internal interface INodeGrain : IGrainWithStringKey
{
    /// <summary>Opens (or finds) the executor's session on this node.</summary>
    [Alias("Join")]
    Task<NodeInfo> Join(SessionSpec spec);

    /// <summary>Runs one call in the session's local pool and answers when it ends.</summary>
    [Alias("Run")]
    Task<WorkAnswer> Run(WorkRequest request);

    /// <summary>Cancels a call, queued or running (its worker is killed).</summary>
    [Alias("Cancel")]
    Task Cancel(Guid session, long taskId);

    /// <summary>Answers whether the session is open (and keeps it open).</summary>
    [Alias("Ping")]
    Task<bool> Ping(Guid session);

    /// <summary>Closes the session: its pool finishes its calls and its workers exit.</summary>
    [Alias("Leave")]
    Task Leave(Guid session);
}
