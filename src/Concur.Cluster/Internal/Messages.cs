namespace Concur.Cluster.Internal;

/// <summary>
/// What an executor asks of a node when it starts using it: its own local pool on that node (the executor's worker
/// count, initializer and tasks-per-child limit). Library-owned: user values travel as the pool's bytes.
/// </summary>
[GenerateSerializer, Immutable, Alias("Concur.SessionSpec")]
internal sealed class SessionSpec
{
    /// <summary>Gets or sets the executor's session id (one local pool per executor per node).</summary>
    [Id(0)] public Guid Session { get; set; }

    /// <summary>Gets or sets the most workers the executor wants on this node.</summary>
    [Id(1)] public int MaxWorkers { get; set; }

    /// <summary>Gets or sets the tasks per worker before it is replaced; 0 for no limit.</summary>
    [Id(2)] public int MaxTasksPerChild { get; set; }

    /// <summary>Gets or sets the initializer's definition, or <see langword="null"/>.</summary>
    [Id(3)] public byte[]? InitializerDefinition { get; set; }

    /// <summary>Gets or sets the initializer's captured values.</summary>
    [Id(4)] public byte[]? InitializerPayload { get; set; }
}

/// <summary>A node's answer to <see cref="INodeGrain.Join"/>: who it is and how many of the executor's tasks it runs at once.</summary>
[GenerateSerializer, Immutable, Alias("Concur.NodeInfo")]
internal sealed class NodeInfo
{
    /// <summary>Gets or sets the node's name (for messages).</summary>
    [Id(0)] public string Name { get; set; } = "";

    /// <summary>Gets or sets the worker processes the node gives the session.</summary>
    [Id(1)] public int Workers { get; set; }

    /// <summary>Gets or sets the node's process id.</summary>
    [Id(2)] public int ProcessId { get; set; }
}

/// <summary>One call for a node: the function's definition and the call's payload, as the process pool's bytes.</summary>
[GenerateSerializer, Immutable, Alias("Concur.WorkRequest")]
internal sealed class WorkRequest
{
    /// <summary>Gets or sets the executor's session.</summary>
    [Id(0)] public Guid Session { get; set; }

    /// <summary>Gets or sets the executor's task id (for cancellation).</summary>
    [Id(1)] public long TaskId { get; set; }

    /// <summary>Gets or sets the function's definition.</summary>
    [Id(2)] public byte[] Definition { get; set; } = [];

    /// <summary>Gets or sets the captured values and arguments.</summary>
    [Id(3)] public byte[] Payload { get; set; } = [];

    /// <summary>Gets or sets whether this is a map chunk.</summary>
    [Id(4)] public bool Chunk { get; set; }

    /// <summary>Gets or sets the hard timeout in ticks; 0 for none.</summary>
    [Id(5)] public long TimeoutTicks { get; set; }
}

/// <summary>How a call ended on a node.</summary>
internal enum WorkOutcome : byte
{
    /// <summary>It returned: <see cref="WorkAnswer.Body"/> is the result.</summary>
    Result,

    /// <summary>It threw: <see cref="WorkAnswer.Body"/> is the exception (the pool's error format).</summary>
    Error,

    /// <summary>It ran past its hard timeout; its worker was killed.</summary>
    Timeout,

    /// <summary>Its worker process died.</summary>
    Crashed,

    /// <summary>The node's pool is broken (its initializer threw); <see cref="WorkAnswer.Body"/> is the initializer's exception, if any.</summary>
    Broken,

    /// <summary>It was cancelled.</summary>
    Cancelled,

    /// <summary>The node could not run it (another build of the application, a shut-down session).</summary>
    Refused,
}

/// <summary>A node's answer to one call.</summary>
[GenerateSerializer, Immutable, Alias("Concur.WorkAnswer")]
internal sealed class WorkAnswer
{
    /// <summary>Gets or sets how the call ended.</summary>
    [Id(0)] public WorkOutcome Outcome { get; set; }

    /// <summary>Gets or sets the result or error bytes.</summary>
    [Id(1)] public byte[] Body { get; set; } = [];

    /// <summary>Gets or sets the element type codes of the out-of-band arrays.</summary>
    [Id(2)] public byte[] ArrayTypes { get; set; } = [];

    /// <summary>Gets or sets the out-of-band arrays' bytes.</summary>
    [Id(3)] public byte[][] Arrays { get; set; } = [];

    /// <summary>Gets or sets the message for outcomes other than a result or an error.</summary>
    [Id(4)] public string Message { get; set; } = "";
}
