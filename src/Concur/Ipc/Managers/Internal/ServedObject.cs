using System.Net.Sockets;

namespace Concur.Ipc.Managers.Internal;

/// <summary>An object a manager server holds, reached by its id; each kind answers its own operations.</summary>
internal abstract class ServedObject
{
    /// <summary>Initializes the object.</summary>
    protected ServedObject(ManagerKind kind, string signature)
    {
        Kind = kind;
        Signature = signature;
    }

    /// <summary>Gets the kind.</summary>
    public ManagerKind Kind { get; }

    /// <summary>Gets the C# type the clients declared it with (<c>ManagerDict&lt;string, int&gt;</c>), checked when a named object is opened again.</summary>
    public string Signature { get; }

    /// <summary>Answers one operation on this object, on the thread that serves <paramref name="client"/>.</summary>
    /// <exception cref="InvalidOperationException">The operation is refused (the message goes back to the client).</exception>
    public abstract void Handle(ManagerOp op, ref FrameReader request, FrameBuilder answer, Socket client);

    /// <summary>The refusal of an operation this kind does not have.</summary>
    protected InvalidOperationException NotSupported(ManagerOp op) =>
        new($"The process manager's {Kind} object does not support {op}: the client and the server disagree on the protocol.");

    /// <summary>Gets a value indicating whether the client has closed its connection (or sent something while it should wait): a blocked operation then gives up.</summary>
    protected static bool ClientGone(Socket client)
    {
        try
        {
            return client.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }
}
