using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Concur.Ipc.Internal;

/// <summary>The receiving side: connect to the sender's sharer, present the ticket, receive the descriptor.</summary>
internal static partial class HandleSharer
{
    /// <summary>
    /// How long a receiver waits for the sender's sharer, from connecting to holding the descriptor. A live sender
    /// answers in microseconds; this bounds a sender that is stuck (stopped in a debugger, swapped out), so the
    /// receiver fails with a message instead of hanging. A sender that has exited is seen at once (the connection is
    /// refused).
    /// </summary>
    internal static readonly TimeSpan TakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Takes the descriptor registered under <paramref name="ticket"/> in the process whose sharer is
    /// <paramref name="name"/>: a new descriptor for the same open file, close-on-exec, owned by the caller.
    /// </summary>
    /// <param name="name">The sender's sharer's abstract name, without its leading NUL.</param>
    /// <param name="pid">The sender's process id, for messages.</param>
    /// <param name="ticket">The ticket.</param>
    /// <param name="typeName">What is being received, for messages ("Connection").</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="IOException">The sender has exited, has disposed the object, runs as another user, or did not answer in time; the message says which and what to do.</exception>
    /// <exception cref="InvalidDataException"><paramref name="name"/> is not a sharer's name.</exception>
    /// <exception cref="PlatformNotSupportedException">This is not Linux.</exception>
    public static SafeFileHandle Take(string name, int pid, ReadOnlySpan<byte> ticket, string typeName)
    {
        ThrowIfNotLinux(typeName);
        if (!name.StartsWith(NamePrefix, StringComparison.Ordinal) || name.Length > 100 || name.Contains('\0', StringComparison.Ordinal) ||
            ticket.Length != TicketLength)
        {
            throw new InvalidDataException($"A {typeName} arrived with a malformed handle reference (sharer \"{name}\", a {ticket.Length}-byte ticket).");
        }
        string from = $"the {typeName} sent by process {pid}";
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        long started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(TakeTimeout);
        try
        {
            socket.ConnectAsync(new UnixDomainSocketEndPoint("\0" + name), timeout.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            throw SenderExited(typeName, pid, e);
        }
        catch (SocketException e)
        {
            throw Failure($"Could not open {from}: connecting to its process failed: {e.Message} ({e.SocketErrorCode}).", e);
        }
        catch (OperationCanceledException e)
        {
            throw NoAnswer(from, pid, e);
        }
        uint? userId = PeerCredentials.UserOf(socket);
        if (userId != s_userId.Value)
        {
            throw Failure(
                $"Could not open {from}: the process listening as its sender runs as user {userId?.ToString(CultureInfo.InvariantCulture) ?? "(unknown)"}, and this process as " +
                $"user {s_userId.Value}. Concur passes handles only between processes of the same user.");
        }
        try
        {
            socket.Send(ticket);
        }
        catch (SocketException)
        {
            // The sharer may have refused this process already and closed: its answer, read below, says why.
        }
        TimeSpan left = TakeTimeout - Stopwatch.GetElapsedTime(started);
        if (left <= TimeSpan.Zero || !socket.Poll(left, SelectMode.SelectRead))
        {
            throw NoAnswer(from, pid, null);
        }
        int got = UnixRights.Receive(socket.SafeHandle, out byte answer, out int descriptor, out int errno);
        if (got <= 0)
        {
            throw got == 0
                ? Failure($"Could not open {from}: its process closed the connection without answering (is it exiting?). Keep the object open in the sender until the receiver has it.")
                : Failure($"Could not open {from}: receiving the handle failed (errno {errno}).");
        }
        if ((Answer)answer == Answer.Granted && descriptor >= 0)
        {
            return new SafeFileHandle(descriptor, ownsHandle: true);
        }
        if (descriptor >= 0)
        {
            UnixRights.Close(descriptor);
        }
        throw (Answer)answer switch
        {
            Answer.Unknown or Answer.Closed => Failure(
                $"Could not open {from}: the {typeName} was disposed in the sending process (pid {pid}) before this " +
                "process opened it. Keep the object open in the sender until the receiver has it (until the child or task " +
                "has answered, or the receiver has said it has it), then dispose it there."),
            Answer.OtherUser => Failure(
                $"Could not open {from}: its process refused this one, which runs as another user. Concur passes handles " +
                "only between processes of the same user."),
            Answer.NoDescriptors => Failure(
                $"Could not open {from}: its process could not duplicate the handle (it has too many files open)."),
            _ => Failure($"Could not open {from}: its process answered {answer}, which is not an answer Concur's sharer gives."),
        };
    }

    private static IOException SenderExited(string typeName, int pid, Exception inner) => Failure(
        $"Could not open the {typeName} sent by process {pid}: the process that sent this {typeName} (pid {pid}) has " +
        "exited before this process opened it. Keep the object open in the sender until the receiver has it (for " +
        "example, until the child or task has answered).", inner);

    private static IOException NoAnswer(string from, int pid, Exception? inner) => Failure(
        $"Could not open {from}: process {pid} did not hand it over within {TakeTimeout.TotalSeconds:0} seconds (is it " +
        "stopped, or overloaded?).", inner);

    /// <summary>Finds, in <paramref name="error"/> or what it wraps, the failure of a <see cref="Take"/>, or <see langword="null"/>.</summary>
    /// <param name="error">An exception from deserializing, which may wrap a take's failure.</param>
    /// <returns>The take's own exception, whose message says what to do.</returns>
    public static IOException? FindTakeFailure(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is IOException io && e.Data.Contains(TakeFailureKey))
            {
                return io;
            }
        }
        return null;
    }

    private const string TakeFailureKey = "Concur.HandleSharer.Take";

    private static IOException Failure(string message, Exception? inner = null)
    {
        var e = new IOException(message, inner);
        e.Data[TakeFailureKey] = true;
        return e;
    }

    private static void ThrowIfNotLinux(string typeName)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                $"A {typeName} cannot be received from another process on this operating system: Concur passes it as its " +
                "handle over a Linux abstract Unix socket (SCM_RIGHTS), which only Linux has.");
        }
    }
}
