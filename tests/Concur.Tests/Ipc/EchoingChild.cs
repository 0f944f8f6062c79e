namespace Concur.Tests.Ipc;

/// <summary>
/// A <see cref="ChildProcess"/> subclass whose state is a connection end: in the child it receives a number through
/// the end and sends back the number plus one, then its process id.
/// </summary>
public sealed class EchoingChild : ChildProcess
{
    /// <summary>Gets or sets the end the child talks through; it travels by handle.</summary>
    public Connection? End { get; set; }

    /// <inheritdoc/>
    protected override void Run()
    {
        using Connection end = End ?? throw new InvalidOperationException("No end arrived.");
        int n = end.Receive<int>();
        end.Send(n + 1);
        end.Send(CurrentProcessId);
    }
}
