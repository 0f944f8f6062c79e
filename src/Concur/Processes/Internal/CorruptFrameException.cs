namespace Concur.Processes.Internal;

/// <summary>
/// A frame on a worker pipe broke the protocol: malformed, too large, cut off, out of order or for an unknown task.
/// The message says what arrived, in words that complete "sent a corrupt frame (...)".
/// </summary>
internal sealed class CorruptFrameException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public CorruptFrameException()
        : this("a frame that breaks the protocol")
    {
    }

    /// <summary>Initializes a new instance describing what arrived.</summary>
    public CorruptFrameException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance describing what arrived and why it could not be read.</summary>
    public CorruptFrameException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
