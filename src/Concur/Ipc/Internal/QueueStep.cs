namespace Concur.Ipc.Internal;

/// <summary>
/// The points inside <see cref="QueueRing"/> where a kill-at-point test stops a participant before it SIGKILLs it
/// (<see cref="QueueRing.KillPoint"/>).
/// </summary>
internal enum QueueStep
{
    /// <summary>A producer holds the producer lock and has written nothing.</summary>
    PutLocked,

    /// <summary>A producer has written a record's bytes and not yet published it.</summary>
    PutRecordWritten,

    /// <summary>A producer has published some records of a large message and not the last.</summary>
    PutBetweenRecords,

    /// <summary>A consumer holds the consumer lock and has taken nothing.</summary>
    GetLocked,

    /// <summary>A consumer has copied a message's last record out and not yet published the new head.</summary>
    GetRecordCopied,

    /// <summary>A consumer has taken some records of a large message and not the last.</summary>
    GetBetweenRecords,

    /// <summary>A waiter is about to sleep on the change sequence (counted among the sleepers).</summary>
    Sleeping,
}
