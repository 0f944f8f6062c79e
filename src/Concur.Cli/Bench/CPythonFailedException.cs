namespace Concur.Cli.Bench;

/// <summary>python3 did not deliver a row: it failed, answered wrongly, or took longer than allowed.</summary>
internal sealed class CPythonFailedException : Exception
{
    /// <summary>Initializes the exception with a message that says what went wrong.</summary>
    /// <param name="message">What went wrong, ending with python3's last line of standard error when there is one.</param>
    public CPythonFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes the exception with no message (for serializers and tooling).</summary>
    public CPythonFailedException()
    {
    }

    /// <summary>Initializes the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CPythonFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
