namespace Concur;

/// <summary>
/// An exception thrown by user code in a worker process, brought back as text: the remote exception's type name,
/// message and stack trace. Concur never instantiates an exception type named by another process, so this is the
/// exception the caller sees whatever the worker threw.
/// </summary>
/// <remarks>
/// Catch it and look at <see cref="RemoteTypeName"/> to tell errors apart:
/// <c>catch (RemoteException e) when (e.RemoteTypeName == "System.ArgumentException")</c>. The remote exception's
/// own public properties arrive as plain data in <see cref="Properties"/> (<c>e.Properties["Code"]</c> for a custom
/// exception's <c>Code</c>), and its <see cref="Exception.Data"/> entries in this exception's <see cref="Exception.Data"/>.
/// </remarks>
public sealed class RemoteException : Exception
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public RemoteException()
        : this("System.Exception", "An exception was thrown in a worker process.", string.Empty, null)
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">The message.</param>
    public RemoteException(string message)
        : this("System.Exception", message, string.Empty, null)
    {
    }

    /// <summary>Initializes a new instance with the given message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public RemoteException(string message, Exception? innerException)
        : base(message, innerException)
    {
        RemoteTypeName = "System.Exception";
        RemoteStackTrace = string.Empty;
        Properties = new Dictionary<string, object?>();
    }

    /// <summary>Initializes a new instance describing an exception thrown in another process.</summary>
    /// <param name="remoteTypeName">The full name of the exception's type in the worker.</param>
    /// <param name="message">The exception's message in the worker.</param>
    /// <param name="remoteStackTrace">The exception's stack trace in the worker.</param>
    /// <param name="remoteInnerException">The worker's text for the inner exception, if there was one.</param>
    public RemoteException(string remoteTypeName, string message, string remoteStackTrace, string? remoteInnerException)
        : this(remoteTypeName, message, remoteStackTrace, remoteInnerException, null)
    {
    }

    /// <summary>Initializes a new instance describing an exception thrown in another process, with its public properties.</summary>
    /// <param name="remoteTypeName">The full name of the exception's type in the worker.</param>
    /// <param name="message">The exception's message in the worker.</param>
    /// <param name="remoteStackTrace">The exception's stack trace in the worker.</param>
    /// <param name="remoteInnerException">The worker's text for the inner exception, if there was one.</param>
    /// <param name="properties">The exception's public properties (those <see cref="Exception"/> itself does not declare), as plain data.</param>
    public RemoteException(string remoteTypeName, string message, string remoteStackTrace, string? remoteInnerException, IReadOnlyDictionary<string, object?>? properties)
        : base(message)
    {
        RemoteTypeName = remoteTypeName ?? "System.Exception";
        RemoteStackTrace = remoteStackTrace ?? string.Empty;
        RemoteInnerException = remoteInnerException;
        Properties = properties ?? new Dictionary<string, object?>();
    }

    /// <summary>Gets the full name of the exception's type in the worker, e.g. <c>System.DivideByZeroException</c>.</summary>
    public string RemoteTypeName { get; }

    /// <summary>Gets the stack trace of the exception in the worker process.</summary>
    public string RemoteStackTrace { get; }

    /// <summary>
    /// Gets the remote exception's public properties that <see cref="Exception"/> itself does not declare, by name, as
    /// plain data: <see cref="long"/>, <see cref="ulong"/>, <see cref="double"/>, <see cref="bool"/>,
    /// <see cref="string"/> (enums by name, other values as their invariant text) or <see langword="null"/>; at most
    /// 64 of them.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Properties { get; }

    /// <summary>Gets the worker's text for the exception's inner exception, or <see langword="null"/> if it had none.</summary>
    public string? RemoteInnerException { get; }

    /// <summary>Returns the remote type, message and remote stack trace, then the local stack trace.</summary>
    /// <returns>A description of the remote exception.</returns>
    public override string ToString()
    {
        string text = $"{RemoteTypeName}: {Message}{Environment.NewLine}{RemoteStackTrace}";
        if (RemoteInnerException is not null)
        {
            text += $"{Environment.NewLine} ---> (inner, remote) {RemoteInnerException}";
        }
        return text + $"{Environment.NewLine}   --- End of remote stack trace ---{Environment.NewLine}{base.ToString()}";
    }
}
