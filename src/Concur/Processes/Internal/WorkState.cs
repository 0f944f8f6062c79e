namespace Concur.Processes.Internal;

/// <summary>Where a <see cref="WorkItem"/> is.</summary>
internal enum WorkState
{
    /// <summary>Waiting in the pool's queue; cancelling it means it never runs.</summary>
    Queued,

    /// <summary>Sent to a worker (running, or next in that worker's pipe).</summary>
    Sent,

    /// <summary>Completed, failed or cancelled.</summary>
    Done,
}
