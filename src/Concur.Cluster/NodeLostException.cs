namespace Concur;

/// <summary>
/// The cluster node running a task was lost (its process died, its machine stopped answering, or it left the
/// cluster) before the task finished. Only the tasks that node was running fail with it; queued work goes to other
/// nodes. Opt in to retries elsewhere with <see cref="ClusterExecutorOptions.RetryOnNodeLoss"/>.
/// </summary>
public sealed class NodeLostException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="NodeLostException"/> class.</summary>
    public NodeLostException()
        : this("A cluster node was lost.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NodeLostException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public NodeLostException(string message)
        : this(message, null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NodeLostException"/> class with a message and the cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public NodeLostException(string message, Exception? innerException)
        : base(message, innerException)
    {
        NodeName = "";
        TaskDescription = "";
    }

    /// <summary>Initializes a new instance of the <see cref="NodeLostException"/> class for a task on a node.</summary>
    /// <param name="nodeName">The lost node.</param>
    /// <param name="taskDescription">The task it was running.</param>
    /// <param name="why">How the loss was noticed.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public NodeLostException(string nodeName, string taskDescription, string why, Exception? innerException = null)
        : base($"Cluster node {nodeName} was lost while it ran {taskDescription} ({why}). The task may or may not have " +
            "run to its end there; it was not retried (at-most-once). Set ClusterExecutorOptions.RetryOnNodeLoss to run such " +
            "tasks again on another node (at-least-once).", innerException)
    {
        NodeName = nodeName;
        TaskDescription = taskDescription;
    }

    /// <summary>Gets the name of the lost node.</summary>
    public string NodeName { get; }

    /// <summary>Gets the task that was running on it.</summary>
    public string TaskDescription { get; }
}
