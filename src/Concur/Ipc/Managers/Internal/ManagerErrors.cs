using System.Net.Sockets;

namespace Concur.Ipc.Managers.Internal;

/// <summary>The exceptions a manager's client throws, in one place so every proxy says the same thing.</summary>
internal static class ManagerErrors
{
    /// <summary>The manager's process ended, or closed the connection, during a call.</summary>
    public static IOException Gone(string address, Exception inner) => new(
        $"The process manager at {address} is gone: the connection to it closed during a call ({Detail(inner)}). Its " +
        "process has ended (it was shut down by its owner, its owner exited, or it was killed), so the objects it held " +
        "are lost; start a new manager.", inner);

    /// <summary>No manager listens at the address.</summary>
    public static IOException Unreachable(string address, Exception inner) => new(
        $"Could not connect to the process manager at {address} ({Detail(inner)}). Is it running? A manager lives as long " +
        "as its owner keeps it (until ProcessManager.Dispose or the owner's exit).", inner);

    private static string Detail(Exception e) => e switch
    {
        SocketException s => $"{s.Message}, {s.SocketErrorCode}",
        EndOfStreamException => "end of stream",
        _ => e.Message,
    };
}
