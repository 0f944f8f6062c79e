namespace Concur.Ipc.Managers.Internal;

/// <summary>The first byte of a manager server's answer.</summary>
internal enum ManagerStatus : byte
{
    /// <summary>Done; the operation's answer follows.</summary>
    Ok = 0,

    /// <summary>The key (or index) is not there; nothing follows.</summary>
    Missing = 1,

    /// <summary>The request was refused; a message (string) follows, which the client shows as it is.</summary>
    Refused = 2,

    /// <summary>A queue had no item within the timeout.</summary>
    Empty = 3,

    /// <summary>A queue had no room within the timeout.</summary>
    Full = 4,

    /// <summary>A registered object's method threw; the exception, as <see cref="Serialization.RemoteError"/> writes it, follows.</summary>
    Thrown = 5,
}
