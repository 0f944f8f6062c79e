namespace Concur.Processes.Internal;

/// <summary>Why the engine killed a worker that was running a task.</summary>
internal enum StopReason
{
    /// <summary>The engine did not kill it: the worker died by itself (a crash).</summary>
    None,

    /// <summary>The task ran past its hard timeout.</summary>
    Timeout,

    /// <summary>The caller cancelled the running task.</summary>
    Cancelled,

    /// <summary>TerminateWorkers or KillWorkers stopped every worker.</summary>
    Stopped,
}
